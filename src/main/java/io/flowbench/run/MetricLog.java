package io.flowbench.run;

import io.flowbench.tracking.LocalStore;
import io.flowbench.tracking.MetricPoint;
import io.flowbench.tracking.TrackedRun;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A run's metrics with at most one point per metric and step: a point at or before the last step recorded for
 * its metric is dropped. So a metric logged by two phases at one step (the training window and an evaluation
 * both record {@code images_seen}) gets one point, and a resumed run, which redoes the steps after its last
 * checkpoint, does not log them twice.
 */
final class MetricLog {
    private final TrackedRun run;
    private final Map<String, Long> lastStep;

    private MetricLog(TrackedRun run, Map<String, Long> lastStep) {
        this.run = run;
        this.lastStep = lastStep;
    }

    /** For a new run: nothing recorded yet. */
    static MetricLog empty(TrackedRun run) {
        return new MetricLog(run, new HashMap<>());
    }

    /** For a resumed run: continues after what the store holds. */
    static MetricLog continuing(TrackedRun run, LocalStore store) {
        Map<String, Long> last = new HashMap<>();
        for (String key : store.metricKeys(run.id())) {
            store.metricHistory(run.id(), key).stream().mapToLong(MetricPoint::step).max()
                    .ifPresent(step -> last.put(key, step));
        }
        return new MetricLog(run, last);
    }

    /** The last step recorded for a metric (0 when none). */
    long lastStep(String metric) {
        return lastStep.getOrDefault(metric, 0L);
    }

    /** Logs the values whose metric has no point at this step or later yet. */
    void log(Map<String, Double> values, long step) {
        Map<String, Double> fresh = new LinkedHashMap<>();
        values.forEach((k, v) -> {
            if (step > lastStep(k)) {
                fresh.put(k, v);
            }
        });
        if (!fresh.isEmpty()) {
            run.logMetrics(fresh, step);
            fresh.keySet().forEach(k -> lastStep.put(k, step));
        }
    }
}
