package io.flowbench.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowbench.tracking.LocalStore;
import io.flowbench.tracking.MetricPoint;
import io.flowbench.tracking.MlflowNames;
import io.flowbench.tracking.MlflowTags;
import io.flowbench.tracking.RunRecord;
import io.flowbench.tracking.RunStatus;
import io.flowbench.tracking.TrackingStore;
import io.flowbench.train.Checkpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Checks on a run a signal stopped, for the tests that stop real processes. */
public final class StoppedRuns {
    private StoppedRuns() {
    }

    /**
     * The run {@code runId} of {@code store} ended KILLED there and on {@code server} with its history intact
     * (every metric's points on the server are the store's, each step once, the last logged training step at most
     * the step it stopped at) and, when it trained a step, a readable checkpoint of that step. Returns that step.
     */
    public static long checkKilled(LocalStore store, String runId, TrackingStore server) throws Exception {
        RunRecord local = store.run(runId);
        assertEquals(RunStatus.KILLED, local.status(), local.runName());
        assertTrue(local.endTime() != null, local.runName() + " has an end time");
        long stoppedAt = Long.parseLong(local.tags().get(RunKeys.Tag.KILLED_AT_STEP));
        String experiment = store.experiment(local.experimentId()).orElseThrow().name();
        RunRecord remote = server.findRunByTag(server.experimentByName(experiment).orElseThrow().id(),
                MlflowTags.LOCAL_RUN_ID, runId).orElseThrow();
        assertEquals(RunStatus.KILLED, remote.status(), local.runName() + " on the server");
        assertEquals(Long.toString(stoppedAt), remote.tags().get(RunKeys.Tag.KILLED_AT_STEP));
        assertEquals(local.latestMetrics().keySet(), remote.latestMetrics().keySet(), local.runName() + "'s metrics");
        for (String key : local.latestMetrics().keySet()) {
            List<String> here = points(store.metricHistory(runId, key));
            assertEquals(here, points(server.metricHistory(remote.runId(), key)), local.runName() + ": " + key);
            assertEquals(here.size(), store.metricHistory(runId, key).stream().map(MetricPoint::step).distinct().count(),
                    local.runName() + ": a step of " + key + " logged twice");
        }
        long lastLogged = store.metricHistory(runId, RunKeys.Metric.TRAIN_BPD).stream().mapToLong(MetricPoint::step)
                .max().orElse(0);
        assertTrue(lastLogged <= stoppedAt, local.runName() + " logged step " + lastLogged + " after its stop at " + stoppedAt);
        if (stoppedAt > 0) {
            Path file = store.runDir(runId).resolve(RunExecutor.CHECKPOINT);
            assertEquals(stoppedAt, Checkpoint.open(file).steps(), "the checkpoint holds the step " + local.runName() + " stopped at");
            try (var files = Files.list(file.getParent())) {
                assertEquals(List.of(file), files.toList(), "no temporary left beside the checkpoint");
            }
        }
        return stoppedAt;
    }

    /** The stopped invocation's parent run: KILLED in the store and on the server, tagged with what stopped. */
    public static void checkParentKilled(LocalStore store, String parentRunId, TrackingStore server, String experiment) {
        RunRecord local = store.run(parentRunId);
        assertEquals(RunStatus.KILLED, local.status(), "the parent run");
        assertTrue(local.tags().containsKey(RunKeys.Tag.STOPPED), local.tags().toString());
        RunRecord remote = server.findRunByTag(server.experimentByName(MlflowNames.experimentName(experiment))
                .orElseThrow().id(), MlflowTags.LOCAL_RUN_ID, parentRunId).orElseThrow();
        assertEquals(RunStatus.KILLED, remote.status(), "the parent run on the server");
    }

    private static List<String> points(List<MetricPoint> history) {
        return history.stream().map(p -> p.step() + "=" + p.value()).toList();
    }
}
