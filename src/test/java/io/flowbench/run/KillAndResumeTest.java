package io.flowbench.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowbench.Integration;
import io.flowbench.cli.FlowbenchCli;
import io.flowbench.cli.ForkedCli;
import io.flowbench.data.TestData;
import io.flowbench.tracking.LocalStore;
import io.flowbench.tracking.MetricPoint;
import io.flowbench.tracking.RunRecord;
import io.flowbench.tracking.RunStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A training process killed with SIGKILL loses at most the steps since its last checkpoint, and one stopped by
 * SIGTERM none: resumed (the experiment by its parent run, or the one run), its loss curve is the one an
 * uninterrupted run draws, with no step logged twice, and the experiment's report on the parent run is made when
 * the resumed run ends.
 */
@Integration
class KillAndResumeTest {
    private static final Duration TIMEOUT = Duration.ofMinutes(3);
    /** Gradient-norm clipping, low enough to be active: a resume must continue clipped runs exactly too. */
    private static final double CLIP = 0.5;

    @TempDir
    Path dir;

    private Path experiment(Path store) throws Exception {
        Path conf = dir.resolve("exp-" + store.getFileName() + ".conf");
        Files.writeString(conf, """
                experiment {
                  name = killed
                  %s
                  model { kind = dlf, levels = 2, depth = 1, hidden = 8 }
                  training { batch-size = 16, steps = 100000, warmup-steps = 5, log-every-steps = 5,
                             adam-beta2 = 0.99, grad-clip-norm = %s }
                  evaluation { every-steps = 1000, test-examples = 30, batch-size = 30, samples = 0 }
                  checkpoint.every-steps = 10
                  tracking.uri = "%s"
                  variants = [ { name = dlf } ]
                }
                """.formatted(TestData.fashionMnistBlock(dir.resolve("data"), 512, 30), CLIP,
                store.toString().replace("\\", "/")));
        return conf;
    }

    private static Optional<RunRecord> run(LocalStore store) {
        return store.experimentByName("killed").flatMap(e -> store.runs(e.id()).stream()
                .filter(r -> r.runName().equals("dlf-seed0")).findFirst());
    }

    private Process startChild(Path conf) throws Exception {
        return ForkedCli.start(dir, dir.resolve("child.log"), "run", conf.toString());
    }

    /** Waits until the child's run has a checkpoint and three logged steps; returns the run's id. */
    private String waitForCheckpoint(LocalStore store, Process p) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (System.nanoTime() < deadline && p.isAlive()) {
            Optional<RunRecord> r = run(store);
            if (r.isPresent() && Files.exists(store.runDir(r.get().runId()).resolve(RunExecutor.CHECKPOINT))
                    && store.metricHistory(r.get().runId(), "train_bpd").size() >= 3) {
                return r.get().runId();
            }
            Thread.sleep(50);
        }
        throw new AssertionError((p.isAlive() ? "no checkpoint within " + TIMEOUT : "the child ended before it was killed")
                + ": " + Files.readString(dir.resolve("child.log")));
    }

    /** A metric's curve in an uninterrupted run of {@code steps} steps (trained once per test). */
    private List<MetricPoint> straight(long steps, String metric) throws Exception {
        Path referenceStore = dir.resolve("reference");
        LocalStore ref = new LocalStore(referenceStore);
        if (run(ref).isEmpty()) {
            assertEquals(0, FlowbenchCli.run("run", experiment(referenceStore).toString(), "--set",
                    "experiment.training.steps=" + steps));
        }
        return ref.metricHistory(run(ref).orElseThrow().runId(), metric);
    }

    @Test
    void killedRunResumesAsIfNeverInterrupted() throws Exception {
        Path killedStore = dir.resolve("killed");
        Path conf = experiment(killedStore);
        Process p = startChild(conf);
        LocalStore store = new LocalStore(killedStore);
        String runId = waitForCheckpoint(store, p);
        p.destroyForcibly(); // SIGKILL on Linux: no shutdown hook, no final write
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        long killedAt = store.metricHistory(runId, "train_bpd").stream().mapToLong(MetricPoint::step).max().orElseThrow();
        assertEquals(RunStatus.RUNNING, store.run(runId).status(), "a killed run stays RUNNING until resumed");

        // Continued as a whole, by its parent run: what a user who only saw the first line printed can do.
        String parentId = store.run(runId).parentRunId().orElseThrow();
        assertEquals(RunStatus.RUNNING, store.run(parentId).status());
        long target = ((killedAt / 10) + 2) * 10;
        assertEquals(0, FlowbenchCli.run("run", conf.toString(), "--set", "experiment.training.steps=" + target, "--resume", parentId));
        List<MetricPoint> resumed = store.metricHistory(runId, "train_bpd");
        List<MetricPoint> straight = straight(target, RunKeys.Metric.TRAIN_BPD);
        assertEquals(straight.stream().map(MetricPoint::step).toList(), resumed.stream().map(MetricPoint::step).toList(),
                "every step logged exactly once (killed after step " + killedAt + ")");
        for (int i = 0; i < straight.size(); i++) {
            assertEquals(straight.get(i).value(), resumed.get(i).value(), 1e-5, "train bits/dim at step " + straight.get(i).step());
        }
        assertEquals(RunStatus.FINISHED, store.run(runId).status());

        // The killed invocation never reported; the resume closes its parent run with the report.
        RunRecord parent = store.run(parentId);
        assertEquals(RunStatus.FINISHED, parent.status());
        assertEquals("0", parent.tags().get(RunKeys.Tag.FAILED_RUNS));
        Path report = store.runDir(parent.runId()).resolve("artifacts/report/report.md");
        assertTrue(Files.readString(report).matches("(?s).*\\| dlf-seed0 \\| dlf \\| 0 \\| FINISHED \\| " + target + " \\|.*"),
                Files.readString(report));
    }

    /**
     * SIGTERM (as Ctrl-C's SIGINT) stops training at a step boundary: the step reached is checkpointed, the run
     * and its parent end KILLED with an end time, the process says how to resume and exits 143, and the resume
     * draws exactly the curve of a run never interrupted.
     */
    @Test
    void terminatedRunEndsKilledAndResumesExactly() throws Exception {
        Path terminatedStore = dir.resolve("terminated");
        Path conf = experiment(terminatedStore);
        Process p = startChild(conf);
        LocalStore store = new LocalStore(terminatedStore);
        String runId = waitForCheckpoint(store, p);
        p.destroy(); // SIGTERM on Linux
        assertTrue(p.waitFor(90, TimeUnit.SECONDS), "the JVM exits once the runs are recorded");
        String log = Files.readString(dir.resolve("child.log"));
        assertEquals(143, p.exitValue(), log);

        RunRecord stopped = store.run(runId);
        assertEquals(RunStatus.KILLED, stopped.status(), log);
        assertTrue(stopped.endTime() != null, "an end time");
        long stoppedAt = Long.parseLong(stopped.tags().get(RunKeys.Tag.KILLED_AT_STEP));
        long logged = store.metricHistory(runId, "train_bpd").stream().mapToLong(MetricPoint::step).max().orElseThrow();
        assertTrue(stoppedAt >= logged && stoppedAt < logged + 5, "stopped at step " + stoppedAt + ", logged up to " + logged);
        RunRecord parent = store.run(stopped.parentRunId().orElseThrow());
        assertEquals(RunStatus.KILLED, parent.status());
        assertTrue(parent.endTime() != null && parent.tags().get(RunKeys.Tag.STOPPED).contains(runId),
                parent.tags().toString());
        assertTrue(log.contains("bin/flowbench run " + conf + " --resume " + runId), log);

        long target = ((stoppedAt / 10) + 2) * 10;
        assertEquals(0, FlowbenchCli.run("run", conf.toString(), "--set", "experiment.training.steps=" + target, "--resume", runId));
        for (String metric : List.of(RunKeys.Metric.TRAIN_BPD, RunKeys.Metric.GRAD_NORM)) {
            List<MetricPoint> resumed = store.metricHistory(runId, metric);
            List<MetricPoint> straight = straight(target, metric);
            assertEquals(straight.stream().map(MetricPoint::step).toList(), resumed.stream().map(MetricPoint::step).toList());
            for (int i = 0; i < straight.size(); i++) {
                assertEquals(straight.get(i).value(), resumed.get(i).value(), 0.0, metric + " at step " + straight.get(i).step()
                        + " (stopped at step " + stoppedAt + ")");
            }
        }
        assertTrue(store.metricHistory(runId, RunKeys.Metric.GRAD_NORM).stream().anyMatch(point -> point.value() > CLIP),
                "clipping was active");
        assertEquals(RunStatus.FINISHED, store.run(runId).status());
        assertEquals(RunStatus.FINISHED, store.run(parent.runId()).status(), "the resume reports and closes the parent");
    }
}
