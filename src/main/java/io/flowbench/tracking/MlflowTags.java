package io.flowbench.tracking;

/** Tag keys MLflow and its UI give meaning to, and the ones flowbench adds. */
public final class MlflowTags {
    /** Nests a run under another in the MLflow UI. */
    public static final String PARENT_RUN_ID = "mlflow.parentRunId";
    public static final String RUN_NAME = "mlflow.runName";
    public static final String USER = "mlflow.user";
    public static final String SOURCE_NAME = "mlflow.source.name";
    public static final String SOURCE_TYPE = "mlflow.source.type";
    /** The commit the code ran at; the UI links it. */
    public static final String GIT_COMMIT = "mlflow.source.git.commit";
    /** Markdown description shown on the run page. */
    public static final String NOTE = "mlflow.note.content";
    /**
     * Experiment tag: what kind of work an experiment holds, as MLflow 3 classifies experiments
     * ({@code genai_development} or {@link #MODEL_TRAINING}); set by the UI's kind selector when it shows one.
     */
    public static final String EXPERIMENT_KIND = "mlflow.experimentKind";
    /** The {@link #EXPERIMENT_KIND} of model-training experiments (the UI calls them "Machine learning"). */
    public static final String MODEL_TRAINING = "custom_model_development";
    /**
     * Set on a run copied to a tracking server: the id of the run in the local store it came from, so a
     * sync that lost its local mapping still finds the copy instead of making a second one.
     */
    public static final String LOCAL_RUN_ID = "flowbench.localRunId";

    private MlflowTags() {
    }
}
