package io.flowbench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.inject.Guice;
import io.flowbench.cli.FlowbenchCli;
import io.flowbench.config.ConfigModule;
import io.flowbench.config.ModelConfigs;
import io.flowbench.run.RunKeys.Metric;
import io.flowbench.run.RunKeys.Tag;
import io.flowbench.tracking.LocalStore;
import io.flowbench.tracking.RunRecord;
import io.flowbench.tracking.RunStatus;
import io.flowbench.tracking.TrackedRun;
import io.flowbench.tracking.Tracker;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code flowbench compare} on a store written by {@link SyntheticExperiment}: the report from the store alone. */
class CompareTest {
    static final ModelConfigs MODELS = Guice.createInjector(new ConfigModule()).getInstance(ModelConfigs.class);

    @TempDir
    Path dir;

    @Test
    void compareRebuildsTheReportFromTheStore() throws Exception {
        Path store = dir.resolve("mlruns");
        SyntheticExperiment.write(store);
        Path out = dir.resolve("out");
        assertEquals(0, FlowbenchCli.run("compare", "--experiment", SyntheticExperiment.NAME, "--tracking-uri",
                store.toString(), "--out", out.toString()));

        String md = Files.readString(out.resolve("report.md"));
        assertTrue(md.contains("Target: 3.0500 test bits/dim, the baseline glow's best"), md);
        assertTrue(md.contains("| dlf | 2/2 | 488 ± 18 | 31,200 ± 1,131 | 2.0 ± 0.1 min | 2.00x ± 0.00 (2.00–2.00) | 0.80x ± 0.00 (0.80–0.80) |"), md);
        assertTrue(md.contains("| slow | never (best 3.5000) | - | - | - | - | - |"), md);
        assertTrue(md.contains("| glow (baseline) | glow (affine coupling) | 123,456 | 2 | 3.0350 ± 0.0354 | 3.0100–3.0600 | 640 | - |"), md);
        assertTrue(md.contains("neither the Glow, the Residual Flows nor the DLF paper reports a result on fashion-mnist"), md);
        assertTrue(md.contains("fit on 10,000 training examples and scored on 10,000 test examples"), md);
        assertTrue(md.contains("| glow | 2 | 80.50 ± 0.71 | 80.00–81.00 | 85.50 ± 0.71 | -1.50 ± 0.71 |"), md);
        assertTrue(md.contains("| dlf | 2 | 85.50 ± 0.71 | 85.00–86.00 | 90.50 ± 0.71 | 3.50 ± 0.71 |"), md);
        assertTrue(md.contains("| slow | 0 | - | - | - | - |"), "a run from before the probe: " + md);
        assertTrue(md.contains("| *pixels* | - | 82.00 | - | 87.00 | - |"), md);

        String html = Files.readString(out.resolve("report.html"));
        assertTrue(html.contains("<img alt=\"test bits/dim against images seen\" src=\"data:image/png;base64,"), "PNG inlined");
        assertTrue(html.contains("<td class=\"num\">2/2</td>"), "tables rendered");
        for (String png : List.of("learning-curves.png", "learning-curves-time.png")) {
            BufferedImage img = ImageIO.read(out.resolve(png).toFile());
            assertEquals(900, img.getWidth());
            assertTrue(CurveChartTest.pixels(img, CurveChartTest.FIRST_VARIANT) > 0, png + ": the first variant's curve");
            assertTrue(CurveChartTest.pixels(img, CurveChartTest.SECOND_VARIANT) > 0, png + ": the second variant's curve");
        }
        List<String> runs = Files.readAllLines(out.resolve("runs.csv"));
        assertEquals(6, runs.size(), "a header and 5 runs");
        assertTrue(runs.get(1).contains(",glow-seed0,glow,0,FINISHED,glow,123456,1000,64000,100,640,3,3.01"), runs.get(1));
        List<String> curves = Files.readAllLines(out.resolve("curves.csv"));
        assertEquals(1 + 5 * 10, curves.size(), "10 evaluations per run");
        String convergence = Files.readString(out.resolve("convergence.csv"));
        assertTrue(convergence.contains("\r\nslow,false,3.05,1,0,3.5,,"), convergence);
    }

    /** A variant whose log-det is a random estimate: its runs' final standard errors, root mean square over seeds. */
    @Test
    void aStochasticLogDetGetsAStandardErrorColumn() {
        RunInputs inputs = PublishedResultsTest.run("fashion-mnist", new io.flowbench.flow.LatentShape(1, 28, 28),
                "kind = resflow", 0);
        List<EvalPoint> curve = ConvergenceTest.curve(300, 0.1, s -> 7.0 - s / 1000.0);
        ExperimentResults results = ConvergenceTest.results(
                resflowRun(0, inputs, curve, 6.70, 0.01), resflowRun(1, inputs, curve, 6.80, 0.02));
        String md = ComparisonReport.of(results, ReportSettings.DEFAULT).markdown();
        assertTrue(md.contains("| variant | model | parameters | runs | final test bits/dim | range | estimate s.e. | "
                + "training images/s | published |"), md);
        // sqrt((0.01^2 + 0.02^2) / 2) = 0.0158
        assertTrue(md.contains("| 2 | 6.7500 ± 0.0707 | 6.7000–6.8000 | ± 0.0158 | 500 | - |"), md);
    }

    private static RunResult resflowRun(long seed, RunInputs inputs, List<EvalPoint> curve, double bpd, double stderr) {
        EvalPoint last = curve.get(curve.size() - 1);
        return new RunResult("id" + seed, "resflow-seed" + seed, "resflow", seed, RunStatus.FINISHED,
                java.util.Optional.of(inputs), last.step(), last.imagesSeen(), last.trainSeconds(), 500,
                java.util.OptionalDouble.of(bpd), java.util.OptionalDouble.of(stderr), curve, List.of(),
                java.util.Optional.empty());
    }

    @Test
    void optionsOverrideTheRecordedBaselineAndTarget() throws Exception {
        Path store = dir.resolve("mlruns");
        SyntheticExperiment.write(store);
        ExperimentResults results = ExperimentResults.load(new LocalStore(store), MODELS, SyntheticExperiment.NAME, null);
        assertEquals(List.of("glow", "dlf", "slow"), results.variants());
        ComparisonReport report = ComparisonReport.of(results,
                ReportSettings.fromParams(results.parent().params()).with("dlf", 3.5));
        assertEquals("dlf", report.baseline());
        assertEquals(3.5, report.target());
        Convergence.Row slow = report.convergence().get(2);
        assertEquals(1, slow.reached(), "reaches 3.5 at its last evaluation");
        assertEquals(0.25, slow.speedupImages().mean(), 1e-9, "dlf at 250 steps, slow at 1000");
    }

    @Test
    void unknownExperimentOrParentIsAUsageError() throws Exception {
        Path store = dir.resolve("mlruns");
        String parent = SyntheticExperiment.write(store);
        assertEquals(FlowbenchCli.USAGE_ERROR, FlowbenchCli.run("compare", "--experiment", "nope", "--tracking-uri",
                store.toString(), "--out", dir.resolve("x").toString()));
        assertEquals(FlowbenchCli.USAGE_ERROR, FlowbenchCli.run("compare", "--experiment", SyntheticExperiment.NAME,
                "--tracking-uri", store.toString(), "--parent", "0123", "--out", dir.resolve("x").toString()));
        assertEquals(0, FlowbenchCli.run("compare", "--experiment", SyntheticExperiment.NAME, "--tracking-uri",
                store.toString(), "--parent", parent, "--out", dir.resolve("x").toString()));
    }

    @Test
    void aRenamedMetricOrMissingParamFailsLoudly() throws Exception {
        Path store = dir.resolve("mlruns");
        SyntheticExperiment.write(store);
        LocalStore local = new LocalStore(store);
        Path glow0 = local.runDir(runNamed(local, "glow-seed0").runId());
        Files.move(glow0.resolve("metrics").resolve(Metric.FINAL_TEST_BPD), glow0.resolve("metrics").resolve("final_bpd"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ExperimentResults.load(local, MODELS, SyntheticExperiment.NAME, null));
        assertTrue(e.getMessage().startsWith("run glow-seed0 (") && e.getMessage().contains(
                " has no metric final_test_bpd (every FINISHED run logs it at its last step)"), e.getMessage());
        assertEquals(FlowbenchCli.USAGE_ERROR, FlowbenchCli.run("compare", "--experiment", SyntheticExperiment.NAME,
                "--tracking-uri", store.toString(), "--out", dir.resolve("x").toString()));

        Files.move(glow0.resolve("metrics").resolve("final_bpd"), glow0.resolve("metrics").resolve(Metric.FINAL_TEST_BPD));
        // the probe is optional, but one logged without all its metrics is not
        Path dlf1 = local.runDir(runNamed(local, "dlf-seed1").runId()).resolve("metrics");
        Files.move(dlf1.resolve(Metric.PROBE_PIXELS_TEST_ACCURACY), dlf1.resolve("pixel_accuracy"));
        e = assertThrows(IllegalArgumentException.class,
                () -> ExperimentResults.load(local, MODELS, SyntheticExperiment.NAME, null));
        assertTrue(e.getMessage().startsWith("run dlf-seed1 (") && e.getMessage().contains(" has no metric "
                + "probe_pixels_test_accuracy at step 1000 (it is logged with each probe_test_accuracy at the same step)"),
                e.getMessage());
        Files.move(dlf1.resolve("pixel_accuracy"), dlf1.resolve(Metric.PROBE_PIXELS_TEST_ACCURACY));

        Files.delete(glow0.resolve("params").resolve("model.n-bits"));
        e = assertThrows(IllegalArgumentException.class,
                () -> ExperimentResults.load(local, MODELS, SyntheticExperiment.NAME, null));
        assertTrue(e.getMessage().startsWith("run glow-seed0 (") && e.getMessage().contains(" has no param model.n-bits ("), e.getMessage());
    }

    @Test
    void aRunThatFailedBeforeLoggingItsParamsHasNoInputsAndNoFinalScore() throws Exception {
        Path store = dir.resolve("mlruns");
        String parent = SyntheticExperiment.write(store);
        try (Tracker tracker = Tracker.open(store.toString())) {
            TrackedRun failed = tracker.startRun(tracker.experiment(SyntheticExperiment.NAME), "glow-seed2",
                    Map.of(Tag.VARIANT, "glow", Tag.SEED, "2"), parent);
            failed.setTag(Tag.FAILURE, "DatasetNotFoundException: no fashion-mnist");
            failed.end(RunStatus.FAILED);
        }
        ExperimentResults results = ExperimentResults.load(new LocalStore(store), MODELS, SyntheticExperiment.NAME, null);
        RunResult failed = results.runs().stream().filter(r -> r.runName().equals("glow-seed2")).findFirst().orElseThrow();
        assertTrue(failed.inputs().isEmpty());
        assertTrue(failed.finalTestBpd().isEmpty());
        assertEquals(2, RunResult.finalTestBpd(results.runsOf("glow")).n(), "the failed run has no score to average");
        assertEquals("glow (affine coupling)", results.inputsOf("glow").orElseThrow().model().step().describe());
        String md = ComparisonReport.of(results, new ReportSettings("glow", 0)).markdown();
        assertTrue(md.contains("| glow-seed2 | glow | 2 | FAILED | 0 | 0 | 0 s | - | - | - |"), md);
        assertTrue(md.contains("| glow (baseline) | glow (affine coupling) | 123,456 | 2 of 3 finished | 3.0350 ± 0.0354 |"), md);
    }

    private static RunRecord runNamed(LocalStore store, String name) {
        String exp = store.experimentByName(SyntheticExperiment.NAME).orElseThrow().id();
        return store.runs(exp).stream().filter(r -> r.runName().equals(name)).findFirst().orElseThrow();
    }
}
