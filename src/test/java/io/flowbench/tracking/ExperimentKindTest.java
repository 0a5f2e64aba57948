package io.flowbench.tracking;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13: the Tracker tags experiments as MLflow 3 model training ({@code mlflow.experimentKind =
 * custom_model_development}) in ./mlruns, idempotently, including experiments made before it did. That the tag
 * reaches a server is checked by the MLflow integration tests (TinyExperiment.verify) and SyncerTest.
 */
class ExperimentKindTest {

    @TempDir
    Path tmp;

    private Path tagFile(String experimentId) {
        return tmp.resolve("mlruns").resolve(experimentId).resolve("tags").resolve(MlflowTags.EXPERIMENT_KIND);
    }

    @Test
    void newExperimentsAreTaggedOnceAsModelTraining() throws IOException {
        String id;
        try (Tracker tracker = Tracker.open(tmp.resolve("mlruns").toString())) {
            id = tracker.experiment("demo");
        }
        assertEquals("custom_model_development", Files.readString(tagFile(id)));
        Files.setLastModifiedTime(tagFile(id), FileTime.fromMillis(0));
        try (Tracker tracker = Tracker.open(tmp.resolve("mlruns").toString())) {
            assertEquals(id, tracker.experiment("demo"));
        }
        assertEquals(0, Files.getLastModifiedTime(tagFile(id)).toMillis(), "an experiment already tagged is not rewritten");
        try (var files = Files.list(tagFile(id).getParent())) {
            assertEquals(List.of(tagFile(id)), files.toList());
        }
    }

    @Test
    void experimentsMadeBeforeAreTaggedAtTheirNextStartOrResume() {
        LocalStore store = new LocalStore(tmp.resolve("mlruns"));
        String started = store.getOrCreateExperiment("started-again");
        String resumed = store.getOrCreateExperiment("resumed");
        String run = store.createRun(resumed, "glow-seed0", 1L, Map.of()).runId();
        store.updateRun(run, RunStatus.KILLED, 2L);
        assertEquals(Map.of(), store.experiment(started).orElseThrow().tags());

        try (Tracker tracker = Tracker.open(tmp.resolve("mlruns").toString())) {
            tracker.experiment("started-again");
            tracker.resumeRun(run).end(RunStatus.FINISHED);
        }
        for (String id : List.of(started, resumed)) {
            assertEquals(Map.of(MlflowTags.EXPERIMENT_KIND, MlflowTags.MODEL_TRAINING),
                    store.experiment(id).orElseThrow().tags());
        }
    }
}
