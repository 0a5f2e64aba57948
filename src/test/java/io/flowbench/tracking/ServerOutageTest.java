package io.flowbench.tracking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowbench.Integration;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.flowbench.cli.FlowbenchCli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 4's outage test: the tracking server is killed mid-run; the training-side calls keep working (never
 * waiting on the server: ServerMirrorTest), the local store holds everything, and {@code flowbench sync} after
 * the restart delivers the rest, without duplicates when run again.
 */
@Integration
class ServerOutageTest {

    @Test
    void killedServerLosesNothingAndSyncDeliversTheRest(@TempDir Path tmp) {
        Path mlruns = tmp.resolve("mlruns");
        TinyExperiment experiment = new TinyExperiment(tmp.resolve("files"));
        try (MlflowServerProcess server = MlflowServerProcess.sqlite(tmp.resolve("server"))) {
            TrackingTarget target = new TrackingTarget(mlruns, Optional.of(server.uri()));
            TrackerOptions options = TrackerOptions.defaults().withSyncInterval(Duration.ofMillis(200))
                    .withCloseTimeout(Duration.ofSeconds(20));
            try (Tracker tracker = Tracker.open(target, options)) {
                experiment.firstHalf(tracker);
                assertTrue(tracker.flush(Duration.ofSeconds(30)).isComplete(), "the first half reaches the server");

                server.kill();
                experiment.secondHalf(tracker); // that these calls never wait on a server: ServerMirrorTest
                SyncReport during = tracker.flush(Duration.ofSeconds(20));
                assertFalse(during.isComplete(), "nothing can be sent while the server is down");
                assertFalse(tracker.serverOnline());

                SyncReport last = tracker.finish();
                assertFalse(last.isComplete(), "the tracker reports what the server lacks");
            }
            assertLocalStoreComplete(mlruns, experiment);

            server.start(); // same port, same database and artifact store
            MlflowRest rest = new MlflowRest(server.uri());
            assertEquals(0, FlowbenchCli.run("sync", "--tracking-uri", server.uri().toString(),
                    "--store", mlruns.toString()));
            experiment.verify(rest);

            assertEquals(0, FlowbenchCli.run("sync", "--tracking-uri", server.uri().toString(),
                    "--store", mlruns.toString(), "--experiment", experiment.name));
            experiment.verify(rest); // still exactly three runs, histories not doubled
        }
    }

    private static void assertLocalStoreComplete(Path mlruns, TinyExperiment experiment) {
        LocalStore local = new LocalStore(mlruns);
        String expId = local.experimentByName(experiment.name).orElseThrow().id();
        List<RunRecord> runs = local.runs(expId);
        assertEquals(experiment.params.keySet(), runs.stream().map(RunRecord::runName)
                .collect(java.util.stream.Collectors.toSet()));
        for (RunRecord r : runs) {
            assertEquals(RunStatus.FINISHED, r.status(), r.runName());
            assertEquals(experiment.params.get(r.runName()), r.params(), r.runName());
            for (Map.Entry<String, List<Double>> m : experiment.metrics.getOrDefault(r.runName(), Map.of()).entrySet()) {
                assertEquals(m.getValue(), local.metricHistory(r.runId(), m.getKey()).stream()
                        .map(MetricPoint::value).toList(), r.runName() + " " + m.getKey());
            }
            assertEquals(experiment.artifacts.getOrDefault(r.runName(), Map.of()).keySet(),
                    local.artifacts(r.runId()).keySet(), r.runName());
        }
    }
}
