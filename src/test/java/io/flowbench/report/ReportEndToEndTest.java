package io.flowbench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowbench.cli.FlowbenchCli;
import io.flowbench.data.TestData;
import io.flowbench.tracking.LocalStore;
import io.flowbench.tracking.RunRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report and the regression gate around real (tiny) training on a small synthetic Fashion-MNIST:
 * {@code flowbench run} logs the report on the parent run, {@code compare} rebuilds the same report from the
 * store, and {@code regress} records baselines and then passes against them exactly, because runs with the
 * same seed are bit-identical on the CPU.
 */
class ReportEndToEndTest {
    @TempDir
    Path dir;

    private Path experiment(String trackingUri) throws Exception {
        Path conf = dir.resolve("tiny.conf");
        Files.writeString(conf, """
                experiment {
                  name = tiny-report
                  seeds = [3]
                  %s
                  model { levels = 2, depth = 1, hidden = 8 }
                  training { batch-size = 16, steps = 20, warmup-steps = 5, ema-decay = 0.9, log-every-steps = 5 }
                  evaluation { every-steps = 10, test-examples = 30, batch-size = 30, samples = 0 }
                  checkpoint.every-steps = 20
                  tracking.uri = "%s"
                  report.baseline = glow
                  variants = [ { name = dlf, model.kind = dlf }, { name = glow, model.kind = glow } ]
                }
                """.formatted(TestData.fashionMnistBlock(dir.resolve("data"), 256, 60), trackingUri));
        return conf;
    }

    @Test
    void runLogsTheReportOnItsParentAndCompareRebuildsItFromTheStore() throws Exception {
        Path store = dir.resolve("mlruns");
        assertEquals(0, FlowbenchCli.run("run", experiment(store.toString()).toString()));
        LocalStore local = new LocalStore(store);
        String expId = local.experimentByName("tiny-report").orElseThrow().id();
        RunRecord parent = local.runs(expId).stream().filter(r -> r.parentRunId().isEmpty()).findFirst().orElseThrow();
        Map<String, Long> artifacts = local.artifacts(parent.runId());
        for (String f : new String[] {"report.md", "report.html", "likelihood.csv", "convergence.csv", "runs.csv",
                "curves.csv", "learning-curves.png", "learning-curves-time.png"}) {
            assertTrue(artifacts.containsKey("report/" + f), f + " in " + artifacts.keySet());
        }
        assertEquals("glow", parent.params().get("report.baseline"));
        String logged = Files.readString(local.artifactFile(parent.runId(), "report/report.md"));
        assertTrue(logged.contains("| glow (baseline) |"), logged);
        // The closed-form linear-flow figures of the run's own splits, logged by the runs and shown by the report.
        assertTrue(logged.matches("(?s).*\\| \\*affine flow\\* \\| closed form \\(train optimum \\d\\.\\d{4}\\) \\|[^|]*\\|[^|]*\\| \\d+\\.\\d{4} \\|.*"), logged);
        assertTrue(logged.contains("has learned nothing non-linear"), logged);
        // Each level's volume change, logged with every evaluation, at the last one: two levels, signed numbers.
        assertTrue(logged.matches("(?s).*## Volume change per level.*\\| glow \\| -?\\d+\\.\\d{4} \\| -?\\d+\\.\\d{4} \\|.*"), logged);
        assertTrue(logged.contains("no more examples (256) than dimensions (784)"), logged);

        Path out = dir.resolve("out");
        assertEquals(0, FlowbenchCli.run("compare", "--experiment", "tiny-report", "--tracking-uri", store.toString(),
                "--out", out.toString()));
        assertEquals(logged, Files.readString(out.resolve("report.md")), "the store alone gives the same report");
    }

    @Test
    void regressRecordsBaselinesThenPassesOnTheSameSeeds() throws Exception {
        Path own = dir.resolve("own-store");
        Path smoke = experiment(own.toString());
        Path baselines = dir.resolve("baselines.conf");
        assertEquals(0, FlowbenchCli.run("regress", "--smoke", smoke.toString(), "--baselines", baselines.toString(),
                "--update"));
        Baselines recorded = Baselines.read(baselines);
        assertEquals(java.util.Set.of("glow", "dlf"), recorded.variants().keySet());
        assertEquals(0, FlowbenchCli.run("regress", "--smoke", smoke.toString(), "--baselines", baselines.toString()));

        Files.writeString(baselines, Files.readString(baselines).replaceFirst(
                "glow \\{ expected = [0-9.]+, tolerance = [0-9.]+", "glow { expected = 1.0, tolerance = 0.01"));
        assertEquals(1, FlowbenchCli.run("regress", "--smoke", smoke.toString(), "--baselines", baselines.toString()),
                "glow is now far worse than its (edited) baseline");
        assertTrue(Files.notExists(own), "regress trains into a temporary store, not the experiment's");
    }
}
