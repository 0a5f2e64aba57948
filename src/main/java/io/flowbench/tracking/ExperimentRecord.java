package io.flowbench.tracking;

import java.util.Map;

/** An MLflow experiment as a store reports it, with its experiment tags. */
public record ExperimentRecord(String id, String name, String artifactLocation, String lifecycleStage,
                               Map<String, String> tags) {

    public ExperimentRecord {
        tags = Map.copyOf(tags);
    }

    public boolean isActive() {
        return "active".equals(lifecycleStage);
    }
}
