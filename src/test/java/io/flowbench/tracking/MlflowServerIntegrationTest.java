package io.flowbench.tracking;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowbench.Integration;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 4, "what must be shown" (1): a real MLflow tracking server (SQLite backend, artifact proxy on) on
 * 127.0.0.1; a tiny experiment logged through the Tracker exactly as the trainer logs; then runs, nesting,
 * params, metric histories and artifacts checked through MLflow's REST API with plain HTTP.
 */
@Integration
class MlflowServerIntegrationTest {

    @Test
    void experimentLoggedThroughTheTrackerIsOnTheServer(@TempDir Path tmp) {
        try (MlflowServerProcess server = MlflowServerProcess.sqlite(tmp.resolve("server"))) {
            TinyExperiment experiment = new TinyExperiment(tmp.resolve("files"));
            TrackingTarget target = new TrackingTarget(tmp.resolve("mlruns"), Optional.of(server.uri()));
            try (Tracker tracker = Tracker.open(target, TrackerOptions.defaults().withSyncInterval(Duration.ofMillis(200)))) {
                experiment.firstHalf(tracker);
                experiment.secondHalf(tracker);
                SyncReport last = tracker.finish();
                assertTrue(last.isComplete(), last::toString);
            }
            experiment.verify(new MlflowRest(server.uri()));
        }
    }
}
