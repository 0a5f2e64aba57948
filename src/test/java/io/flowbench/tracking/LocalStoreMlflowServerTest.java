package io.flowbench.tracking;

import io.flowbench.Integration;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 4, "what must be shown" (2): the embedded backend writes an ./mlruns; a real
 * {@code mlflow server --backend-store-uri <that directory>} (MLflow's own file-store reader) serves it, and
 * the same REST checks as against a tracking server pass.
 */
@Integration
class LocalStoreMlflowServerTest {

    @Test
    void mlflowServesTheStoreTheEmbeddedBackendWrote(@TempDir Path tmp) {
        Path mlruns = tmp.resolve("mlruns");
        TinyExperiment experiment = new TinyExperiment(tmp.resolve("files"));
        try (Tracker tracker = Tracker.open(mlruns.toString())) {
            experiment.firstHalf(tracker);
            experiment.secondHalf(tracker);
        }
        try (MlflowServerProcess server = MlflowServerProcess.fileStore(tmp.resolve("server"), mlruns)) {
            experiment.verify(new MlflowRest(server.uri()));
        }
    }
}
