package io.flowbench.tracking;

/** One logged value of a metric: MLflow's (key, value, timestamp in epoch milliseconds, step). */
public record MetricPoint(String key, double value, long timestamp, long step) {
}
