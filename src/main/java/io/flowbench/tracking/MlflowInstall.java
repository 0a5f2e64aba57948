package io.flowbench.tracking;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Finds the {@code mlflow} command (for {@code flowbench ui} and the integration tests): the repository's
 * .venv made by {@code ci/mlflow-venv.sh} first, then the PATH. Also the environment MLflow needs to read
 * the local store.
 */
public final class MlflowInstall {
    /** The MLflow version ci/mlflow-requirements.txt pins. */
    public static final String PINNED_VERSION = "3.17.2";

    private MlflowInstall() {
    }

    /** {@code <repo>/.venv/bin/mlflow} (repo: the {@code flowbench.home} property, else the working directory), else PATH. */
    public static Optional<Path> find() {
        List<Path> candidates = new ArrayList<>();
        String home = System.getProperty("flowbench.home");
        if (home != null) {
            candidates.add(Path.of(home, ".venv", "bin", "mlflow"));
        }
        candidates.add(Path.of("").toAbsolutePath().resolve(".venv/bin/mlflow"));
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!dir.isEmpty()) {
                candidates.add(Path.of(dir, "mlflow"));
            }
        }
        return candidates.stream().filter(Files::isExecutable).findFirst();
    }

    /** How to get MLflow, for messages. */
    public static String installHint() {
        return "MLflow is not installed. Run ci/mlflow-venv.sh in the repository (it makes .venv with the pinned mlflow=="
                + PINNED_VERSION + "; bin/test runs it too), or `pip install mlflow==" + PINNED_VERSION + "`.";
    }

    /**
     * Environment for an MLflow process on the local store: MLflow 3.x refuses a file store unless
     * MLFLOW_ALLOW_FILE_STORE=true; its background job runner (a dozen worker processes) is switched off.
     */
    public static Map<String, String> environment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("MLFLOW_ALLOW_FILE_STORE", "true");
        env.put("MLFLOW_SERVER_ENABLE_JOB_EXECUTION", "false");
        return env;
    }
}
