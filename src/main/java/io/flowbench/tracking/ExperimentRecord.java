package io.flowbench.tracking;

/** An MLflow experiment as a store reports it. */
public record ExperimentRecord(String id, String name, String artifactLocation, String lifecycleStage) {

    public boolean isActive() {
        return "active".equals(lifecycleStage);
    }
}
