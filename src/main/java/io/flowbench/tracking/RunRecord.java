package io.flowbench.tracking;

import java.util.Map;
import java.util.Optional;

/**
 * A run as a store reports it: its info, all params and tags, and the latest value of each metric
 * (MLflow's "run data"). Metric histories come from {@link TrackingStore#metricHistory}.
 */
public record RunRecord(String runId, String experimentId, String runName, RunStatus status,
                        long startTime, Long endTime, String artifactUri, String lifecycleStage,
                        Map<String, String> params, Map<String, String> tags,
                        Map<String, MetricPoint> latestMetrics) {

    public RunRecord {
        params = Map.copyOf(params);
        tags = Map.copyOf(tags);
        latestMetrics = Map.copyOf(latestMetrics);
    }

    /** The parent run's id ({@code mlflow.parentRunId} tag) when this run is nested. */
    public Optional<String> parentRunId() {
        return Optional.ofNullable(tags.get(MlflowTags.PARENT_RUN_ID));
    }
}
