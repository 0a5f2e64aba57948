package io.flowbench.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowbench.cli.FlowbenchCli;
import io.flowbench.data.TestData;
import io.flowbench.tracking.LocalStore;
import io.flowbench.tracking.MetricPoint;
import io.flowbench.tracking.RunRecord;
import io.flowbench.tracking.RunStatus;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a run records stays consistent across resumes: one point per metric and step, a resume that cannot
 * be honoured (corrupt checkpoint, changed settings, another experiment's file, a run held by another
 * invocation) is refused with exit code 2 and leaves every recorded file as it was, and a FINISHED run with
 * nothing left to do is left alone.
 */
class ResumeIntegrityTest {
    @TempDir
    Path dir;
    private Path conf;
    private LocalStore store;
    private RunRecord run;

    private Path experiment(String name) throws IOException {
        Path file = dir.resolve(name + ".conf");
        Files.writeString(file, """
                experiment {
                  name = %s
                  %s
                  model { kind = dlf, levels = 2, depth = 1, hidden = 8 }
                  training { batch-size = 16, steps = 10, warmup-steps = 5, ema-decay = 0.9, log-every-steps = 5 }
                  evaluation { every-steps = 10, test-examples = 30, batch-size = 30, samples = 2 }
                  checkpoint.every-steps = 10
                  tracking.uri = "%s"
                  variants = [ { name = dlf } ]
                }
                """.formatted(name, TestData.fashionMnistBlock(dir.resolve("data"), 256, 60),
                dir.resolve("mlruns").toString().replace("\\", "/")));
        return file;
    }

    @BeforeEach
    void trainOneRun() throws IOException {
        conf = experiment("tiny");
        assertEquals(0, FlowbenchCli.run("run", conf.toString()));
        store = new LocalStore(dir.resolve("mlruns"));
        run = store.runs(store.experimentByName("tiny").orElseThrow().id()).stream()
                .filter(r -> r.runName().equals("dlf-seed0")).findFirst().orElseThrow();
    }

    /** Every file of the store (but the run locks, which record who trains, not what was trained) by content hash. */
    private Map<String, String> snapshot() throws Exception {
        Map<String, String> out = new TreeMap<>();
        Path root = dir.resolve("mlruns");
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                if (!f.getFileName().toString().equals(RunLock.FILE)) {
                    out.put(root.relativize(f).toString(), HexFormat.of().formatHex(
                            MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f))));
                }
            }
        }
        return out;
    }

    /** Runs the command line; returns its exit code and what it printed to stderr. */
    private static Map.Entry<Integer, String> cli(String... args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream old = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            return Map.entry(FlowbenchCli.run(args), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(old);
        }
    }

    /** A resume that must be refused: exit code 2, a message containing each of {@code expected}, nothing changed. */
    private void refused(List<String> args, String... expected) throws Exception {
        Map<String, String> before = snapshot();
        Map.Entry<Integer, String> result = cli(args.toArray(String[]::new));
        assertEquals(2, result.getKey(), result.getValue());
        for (String e : expected) {
            assertTrue(result.getValue().contains(e), "'" + e + "' in: " + result.getValue());
        }
        assertEquals(before, snapshot(), "a refused resume changes nothing recorded");
    }

    private void assertEveryMetricHasOnePointPerStep() {
        String experimentId = store.experimentByName("tiny").orElseThrow().id();
        for (RunRecord r : store.runs(experimentId)) {
            for (String key : store.metricKeys(r.runId())) {
                List<Long> steps = store.metricHistory(r.runId(), key).stream().map(MetricPoint::step).toList();
                assertEquals(steps.stream().distinct().count(), steps.size(), r.runName() + " " + key + " steps " + steps);
            }
        }
    }

    @Test
    void everyMetricHasOnePointPerStepAndARaisedBudgetContinuesAFinishedRun() throws Exception {
        assertEquals(List.of(5L, 10L), store.metricHistory(run.runId(), "images_seen").stream().map(MetricPoint::step).toList(),
                "the training window and the evaluation at step 10 give one point");
        assertEveryMetricHasOnePointPerStep();

        assertEquals(0, FlowbenchCli.run("run", conf.toString(), "--set", "experiment.training.steps=20", "--resume", run.runId()));
        RunRecord resumed = store.run(run.runId());
        assertEquals(RunStatus.FINISHED, resumed.status());
        assertEquals("20", resumed.tags().get(RunKeys.Tag.BUDGET_STEPS), "the new budget is recorded");
        assertEquals("10", resumed.params().get("training.steps"), "params keep the value the run started with");
        assertEquals(List.of(10L, 20L), store.metricHistory(run.runId(), "final_test_bpd").stream().map(MetricPoint::step).toList(),
                "one final evaluation per end of training");
        assertEveryMetricHasOnePointPerStep();

        Map<String, String> before = snapshot();
        assertEquals(0, FlowbenchCli.run("run", conf.toString(), "--set", "experiment.training.steps=20", "--resume", run.runId()));
        assertEquals(before, snapshot(), "a FINISHED run with nothing left to do is left as it is, parent included");
    }

    @Test
    void aCorruptTruncatedOrEmptyCheckpointIsRefusedNamingItAndChangesNothing() throws Exception {
        Path checkpoint = store.runDir(run.runId()).resolve(RunExecutor.CHECKPOINT);
        byte[] whole = Files.readAllBytes(checkpoint);
        List<String> resume = List.of("run", conf.toString(), "--set", "experiment.training.steps=20", "--resume", run.runId());

        Files.write(checkpoint, Arrays.copyOf(whole, whole.length - 100));
        refused(resume, checkpoint.toString());
        Files.write(checkpoint, new byte[0]);
        refused(resume, checkpoint.toString(), "empty");

        // A changed byte in stored (uncompressed) content still unzips: only the checksum catches it.
        Path stored = dir.resolve("stored.zip");
        try (var in = new java.util.zip.ZipFile(dir.resolve("mlruns").resolve(store.runDir(run.runId())
                .resolve("artifacts/checkpoint/last.zip")).toFile());
             var out = new java.util.zip.ZipOutputStream(Files.newOutputStream(stored))) {
            boolean changed = false;
            for (var e : java.util.Collections.list(in.entries())) {
                byte[] content = in.getInputStream(e).readAllBytes();
                if (!changed && e.getName().startsWith("param/")) {
                    content[content.length - 1] ^= 0x01;
                    changed = true;
                }
                out.putNextEntry(new java.util.zip.ZipEntry(e.getName()));
                out.write(content);
                out.closeEntry();
            }
        }
        Files.copy(stored, checkpoint, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        refused(resume, checkpoint.toString(), "SHA-256");
    }

    @Test
    void changedSettingsAreRefusedNamingEachWithItsOldAndNewValue() throws Exception {
        refused(List.of("run", conf.toString(), "--set", "experiment.training.lr=0.01", "--set", "experiment.model.hidden=16",
                "--set", "experiment.training.steps=20", "--resume", run.runId()),
                "training.lr 0.001 -> 0.01", "model.hidden 8 -> 16");
        refused(List.of("run", conf.toString(), "--set", "experiment.training.steps=5", "--resume", run.runId()),
                "already trained 10 steps");
    }

    @Test
    void anotherExperimentsFileIsRefused() throws Exception {
        refused(List.of("run", experiment("other").toString(), "--set", "experiment.training.steps=20", "--resume", run.runId()),
                "belongs to experiment 'tiny'");
    }

    @Test
    void aRunBeingTrainedIsRefusedWithItsHolder() throws Exception {
        List<String> resume = List.of("run", conf.toString(), "--set", "experiment.training.steps=20", "--resume", run.runId());
        try (RunLock held = RunLock.acquire(store.runDir(run.runId()), run.runId())) {
            refused(resume, "is being trained by " + ProcessHandle.current().pid() + "@");
        }

        // The parent is held by its own invocation (still training its other runs): the resume trains the run
        // but leaves the parent to that invocation, which reports when its runs end.
        String parentId = run.parentRunId().orElseThrow();
        Path parentDir = store.runDir(parentId);
        try (RunLock parentHeld = RunLock.acquire(parentDir, parentId)) {
            Map<String, String> before = snapshot();
            assertEquals(0, FlowbenchCli.run(resume.toArray(String[]::new)), "free again once its holder let go");
            Map<String, String> after = snapshot();
            String parentFiles = dir.resolve("mlruns").relativize(parentDir).toString();
            before.keySet().removeIf(k -> !k.startsWith(parentFiles));
            after.keySet().removeIf(k -> !k.startsWith(parentFiles));
            assertEquals(before, after, "the parent is left to the invocation that holds it");
        }
        assertEquals(RunStatus.FINISHED, store.run(run.runId()).status());
    }
}
