package io.flowbench.tracking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The background mirror through an outage that ends during the run (the server comes back by itself). */
class ServerMirrorTest {

    @Test
    void sendsInTheBackgroundAndCatchesUpAfterAnOutage(@TempDir Path tmp) throws InterruptedException {
        LocalStore local = new LocalStore(tmp.resolve("local"));
        FlakyStore target = new FlakyStore(tmp.resolve("target"));
        String exp = local.getOrCreateExperiment("exp");
        String run = local.createRun(exp, "r", 1L, Map.of()).runId();
        try (ServerMirror mirror = new ServerMirror(new Syncer(local, target.store), Duration.ofMillis(20))) {
            local.logBatch(run, List.of(new MetricPoint("loss", 1.0, 1L, 0)), Map.of(), Map.of());
            mirror.touch(run);
            waitFor(() -> target.createdRuns.get() == 1 && mirror.pendingRuns().isEmpty());

            target.down = true;
            for (int step = 1; step <= 5; step++) {
                local.logBatch(run, List.of(new MetricPoint("loss", 1.0 / (step + 1), 1L + step, step)), Map.of(), Map.of());
                mirror.touch(run);
            }
            waitFor(() -> !mirror.online());
            assertEquals(List.of(run), mirror.pendingRuns(), "the run stays marked while the server is down");

            target.down = false;
            waitFor(() -> mirror.online() && mirror.pendingRuns().isEmpty());
            String targetRun = target.delegate.runs(target.delegate.experimentByName("exp").orElseThrow().id()).get(0).runId();
            assertEquals(6, target.delegate.metricHistory(targetRun, "loss").size());
            assertEquals(1, target.createdRuns.get());
            assertTrue(mirror.close(Duration.ofSeconds(5)).isComplete());
        }
    }

    /**
     * While the mirror's thread hangs in a call to a server that never answers, the training side keeps logging
     * (a touch that waited on the server would never return) and everything arrives once the server answers.
     */
    @Test
    void trainingSideCallsNeverWaitOnAHangingServer(@TempDir Path tmp) throws InterruptedException {
        LocalStore local = new LocalStore(tmp.resolve("local"));
        FlakyStore target = new FlakyStore(tmp.resolve("target"));
        String run = local.createRun(local.getOrCreateExperiment("exp"), "r", 1L, Map.of()).runId();
        CountDownLatch answer = new CountDownLatch(1);
        target.hold = answer;
        try (ServerMirror mirror = new ServerMirror(new Syncer(local, target.store), Duration.ofMillis(20))) {
            mirror.touch(run);
            waitFor(() -> target.waiting.get() > 0);
            for (int step = 0; step < 5; step++) {
                local.logBatch(run, List.of(new MetricPoint("loss", 1.0 / (step + 1), 1L + step, step)), Map.of(), Map.of());
                mirror.touch(run);
            }
            assertEquals(List.of(run), mirror.pendingRuns(), "logged while the server hangs");
            target.hold = null;
            answer.countDown();
            waitFor(() -> mirror.pendingRuns().isEmpty());
            String targetRun = target.delegate.runs(target.delegate.experimentByName("exp").orElseThrow().id()).get(0).runId();
            assertEquals(5, target.delegate.metricHistory(targetRun, "loss").size());
        }
    }

    @Test
    void closeReportsWhatTheServerLacks(@TempDir Path tmp) {
        LocalStore local = new LocalStore(tmp.resolve("local"));
        FlakyStore target = new FlakyStore(tmp.resolve("target"));
        target.down = true;
        String run = local.createRun(local.getOrCreateExperiment("exp"), "r", 1L, Map.of()).runId();
        ServerMirror mirror = new ServerMirror(new Syncer(local, target.store), Duration.ofMillis(20));
        mirror.touch(run);
        SyncReport last = mirror.close(Duration.ofSeconds(5));
        assertFalse(last.isComplete());
        assertTrue(last.failures().containsKey(run));
    }

    private static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not reached in 20 s");
            }
            Thread.sleep(10);
        }
    }
}
