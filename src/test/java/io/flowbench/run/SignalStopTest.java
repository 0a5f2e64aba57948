package io.flowbench.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowbench.Integration;
import io.flowbench.cli.ForkedCli;
import io.flowbench.tracking.LocalStore;
import io.flowbench.tracking.MetricPoint;
import io.flowbench.tracking.MlflowServerProcess;
import io.flowbench.tracking.RunRecord;
import io.flowbench.tracking.RunStatus;
import io.flowbench.tracking.ServerStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ctrl-C (SIGINT) on {@code flowbench run} in this machine's executors, one run at a time and two at once, with
 * the runs mirrored to a real MLflow server: every run in progress ends KILLED at its next step in ./mlruns and on
 * the server with its history intact and a readable checkpoint of that step, the parent too, the process says
 * in one line what it stopped and how to go on, and exits 130.
 */
@Integration
class SignalStopTest {
    private static final Duration TIMEOUT = Duration.ofMinutes(3);

    @TempDir
    static Path tmp;
    private static MlflowServerProcess server;

    @BeforeAll
    static void start() {
        server = MlflowServerProcess.sqlite(tmp.resolve("mlflow"));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void sigintEndsTheRunsInProgressKilledHereAndOnTheServer(int parallel) throws Exception {
        String name = "stop-parallel-" + parallel;
        Path work = Files.createDirectories(tmp.resolve(name));
        Path conf = work.resolve(name + ".conf");
        Files.writeString(conf, """
                experiment {
                  name = %s
                  seeds = [0, 1]
                  data { name = fashion-mnist, subset = 64, test-subset = 30 }
                  model { kind = glow, levels = 2, depth = 1, hidden = 8 }
                  variants = [ { name = glow } ]
                  training { batch-size = 16, steps = 100000, warmup-steps = 1, log-every-steps = 5 }
                  evaluation { every-steps = 1000, test-examples = 30, batch-size = 30, samples = 0 }
                  checkpoint.every-steps = 10
                  tracking.uri = "%s"
                }
                """.formatted(name, server.uri()));
        Path log = work.resolve("cli.log");
        Process p = ForkedCli.start(work, log, "run", conf.toString(), "--parallel", Integer.toString(parallel));
        LocalStore store = new LocalStore(work.resolve("mlruns"));
        List<RunRecord> runs = awaitTraining(store, name, parallel, p, log);
        ForkedCli.signal(p, "INT");
        assertTrue(p.waitFor(90, TimeUnit.SECONDS), "the process ends once the runs are recorded");
        String out = Files.readString(log);
        assertEquals(130, p.exitValue(), out);

        List<String> stopped = new ArrayList<>();
        try (ServerStore remote = ServerStore.connect(server.uri(), Duration.ofSeconds(10))) {
            for (RunRecord r : runs) {
                stopped.add(r.runName() + " KILLED at step " + StoppedRuns.checkKilled(store, r.runId(), remote));
            }
            String parent = runs.get(0).parentRunId().orElseThrow();
            StoppedRuns.checkParentKilled(store, parent, remote, name);
            List<String> lines = out.lines().filter(l -> l.startsWith("flowbench run: stopped by SIGINT: ")).toList();
            assertEquals(1, lines.size(), out);
            String expected = "flowbench run: stopped by SIGINT: " + String.join(", ", stopped)
                    + (parallel == 1 ? "; 1 not started (glow-seed1)" : "") + "; parent run " + parent + " KILLED; ";
            assertTrue(lines.get(0).startsWith(expected), lines.get(0) + "\ndoes not start with\n" + expected);
            assertTrue(lines.get(0).endsWith("continue the experiment with: bin/flowbench run " + conf + " --resume "
                    + parent + (parallel == 1 ? " (resumes glow-seed0 from its checkpoint and trains glow-seed1)"
                    : " (resumes glow-seed0, glow-seed1 from their checkpoints)")), lines.get(0));

            // The advice, followed: every run ends FINISHED at the budget, under the same parent, which is reported.
            long target = runs.stream().mapToLong(r -> store.metricHistory(r.runId(), RunKeys.Metric.TRAIN_BPD).stream()
                    .mapToLong(MetricPoint::step).max().orElseThrow()).max().orElseThrow() + 10;
            Path resumeLog = work.resolve("resume.log");
            Process resume = ForkedCli.start(work, resumeLog, "run", conf.toString(), "--set",
                    "experiment.training.steps=" + target, "--resume", parent);
            if (!resume.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                resume.destroyForcibly();
                throw new AssertionError("the resume did not end within " + TIMEOUT + ": " + Files.readString(resumeLog));
            }
            assertEquals(0, resume.exitValue(), Files.readString(resumeLog));
            List<RunRecord> children = store.runs(store.run(parent).experimentId()).stream()
                    .filter(r -> r.parentRunId().filter(parent::equals).isPresent()).toList();
            assertEquals(List.of("glow-seed0", "glow-seed1"), children.stream().map(RunRecord::runName).sorted().toList());
            for (RunRecord r : children) {
                assertEquals(RunStatus.FINISHED, store.run(r.runId()).status(), r.runName());
                List<Long> steps = store.metricHistory(r.runId(), RunKeys.Metric.TRAIN_BPD).stream().map(MetricPoint::step).toList();
                assertEquals(target, steps.get(steps.size() - 1), r.runName());
                assertEquals(steps.stream().distinct().count(), steps.size(), r.runName() + ": a step logged twice: " + steps);
            }
            assertEquals(RunStatus.FINISHED, store.run(parent).status());
            assertEquals("0", store.run(parent).tags().get(RunKeys.Tag.FAILED_RUNS));
        }
    }

    /** Waits until {@code count} runs train and have logged three windows; returns them in name order. */
    private static List<RunRecord> awaitTraining(LocalStore store, String experiment, int count, Process p, Path log)
            throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (System.nanoTime() < deadline && p.isAlive()) {
            List<RunRecord> training = store.experimentByName(experiment).map(e -> store.runs(e.id())).orElse(List.of())
                    .stream().filter(r -> r.parentRunId().isPresent())
                    .filter(r -> store.metricHistory(r.runId(), RunKeys.Metric.TRAIN_BPD).size() >= 3)
                    .sorted((a, b) -> a.runName().compareTo(b.runName())).toList();
            if (training.size() == count) {
                return training;
            }
            Thread.sleep(100);
        }
        throw new AssertionError((p.isAlive() ? "not training within " + TIMEOUT : "the process ended first") + ": "
                + Files.readString(log));
    }
}
