package io.flowbench.tracking;

/**
 * MLflow's run states. {@link #code()} is the integer MLflow's file store keeps in a run's meta.yaml
 * ({@code mlflow.entities.RunStatus}); {@link #name()} is the string the REST API uses.
 */
public enum RunStatus {
    RUNNING(1), SCHEDULED(2), FINISHED(3), FAILED(4), KILLED(5);

    private final int code;

    RunStatus(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public boolean isTerminal() {
        return this == FINISHED || this == FAILED || this == KILLED;
    }

    /** The status for a file-store code; unknown codes read as RUNNING, as MLflow does for a missing one. */
    public static RunStatus ofCode(int code) {
        for (RunStatus s : values()) {
            if (s.code == code) {
                return s;
            }
        }
        return RUNNING;
    }
}
