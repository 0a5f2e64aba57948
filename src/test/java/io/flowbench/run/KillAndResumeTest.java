package io.flowbench.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowbench.cli.FlowbenchCli;
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
 * A training process killed with SIGKILL loses at most the steps since its last checkpoint: resumed,
 * its loss curve is the one an uninterrupted run draws, with no step logged twice, and the experiment's
 * report on the parent run is made when the resumed run ends.
 */
class KillAndResumeTest {
    private static final Duration TIMEOUT = Duration.ofMinutes(3);

    @TempDir
    Path dir;

    private Path experiment(Path store) throws Exception {
        Path conf = dir.resolve("exp-" + store.getFileName() + ".conf");
        Files.writeString(conf, """
                experiment {
                  name = killed
                  data { name = fashion-mnist, subset = 512, test-subset = 30 }
                  model { kind = dlf, levels = 2, depth = 1, hidden = 8 }
                  training { batch-size = 16, steps = 100000, warmup-steps = 5, log-every-steps = 5 }
                  evaluation { every-steps = 1000, test-examples = 30, batch-size = 30, samples = 0 }
                  checkpoint.every-steps = 10
                  tracking.uri = "%s"
                  variants = [ { name = dlf } ]
                }
                """.formatted(store.toString().replace("\\", "/")));
        return conf;
    }

    private static Optional<RunRecord> run(LocalStore store) {
        return store.experimentByName("killed").flatMap(e -> store.runs(e.id()).stream()
                .filter(r -> r.runName().equals("dlf-seed0")).findFirst());
    }

    @Test
    void killedRunResumesAsIfNeverInterrupted() throws Exception {
        Path killedStore = dir.resolve("killed");
        Path conf = experiment(killedStore);
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), FlowbenchCli.class.getName(), "run", conf.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();
        LocalStore store = new LocalStore(killedStore);
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        Path checkpoint = null;
        while (System.nanoTime() < deadline && p.isAlive()) {
            Optional<RunRecord> r = run(store);
            if (r.isPresent() && Files.exists(store.runDir(r.get().runId()).resolve(RunExecutor.CHECKPOINT))
                    && store.metricHistory(r.get().runId(), "train_bpd").size() >= 3) {
                checkpoint = store.runDir(r.get().runId()).resolve(RunExecutor.CHECKPOINT);
                break;
            }
            Thread.sleep(50);
        }
        assertTrue(p.isAlive(), "the child must still be training when it is killed: " + Files.readString(dir.resolve("child.log")));
        assertTrue(checkpoint != null, "no checkpoint within " + TIMEOUT);
        p.destroyForcibly(); // SIGKILL on Linux: no shutdown hook, no final write
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        String runId = run(store).orElseThrow().runId();
        long killedAt = store.metricHistory(runId, "train_bpd").stream().mapToLong(MetricPoint::step).max().orElseThrow();
        assertEquals(RunStatus.RUNNING, store.run(runId).status(), "a killed run stays RUNNING until resumed");

        long target = ((killedAt / 10) + 2) * 10;
        assertEquals(0, FlowbenchCli.run("run", conf.toString(), "--set", "experiment.training.steps=" + target, "--resume", runId));
        List<MetricPoint> resumed = store.metricHistory(runId, "train_bpd");

        Path referenceStore = dir.resolve("reference");
        assertEquals(0, FlowbenchCli.run("run", experiment(referenceStore).toString(), "--set", "experiment.training.steps=" + target));
        LocalStore ref = new LocalStore(referenceStore);
        List<MetricPoint> straight = ref.metricHistory(run(ref).orElseThrow().runId(), "train_bpd");

        assertEquals(straight.stream().map(MetricPoint::step).toList(), resumed.stream().map(MetricPoint::step).toList(),
                "every step logged exactly once (killed after step " + killedAt + ")");
        for (int i = 0; i < straight.size(); i++) {
            assertEquals(straight.get(i).value(), resumed.get(i).value(), 1e-5, "train bits/dim at step " + straight.get(i).step());
        }
        assertEquals(RunStatus.FINISHED, store.run(runId).status());

        // The killed invocation never reported; the resume closes its parent run with the report.
        RunRecord parent = store.run(store.run(runId).parentRunId().orElseThrow());
        assertEquals(RunStatus.FINISHED, parent.status());
        assertEquals("0", parent.tags().get(RunKeys.Tag.FAILED_RUNS));
        Path report = store.runDir(parent.runId()).resolve("artifacts/report/report.md");
        assertTrue(Files.readString(report).matches("(?s).*\\| dlf-seed0 \\| dlf \\| 0 \\| FINISHED \\| " + target + " \\|.*"),
                Files.readString(report));
    }
}
