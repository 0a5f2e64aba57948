package io.flowbench.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.inject.Guice;
import com.google.inject.Injector;
import io.flowbench.config.ConfigModule;
import io.flowbench.config.Experiment;
import io.flowbench.config.ModelConfigs;
import io.flowbench.data.DataLocations;
import io.flowbench.data.DataModule;
import io.flowbench.probe.SeparableImages;
import io.flowbench.report.ComparisonReport;
import io.flowbench.report.ExperimentResults;
import io.flowbench.report.ReportSettings;
import io.flowbench.report.ReportingModule;
import io.flowbench.tracking.LocalStore;
import io.flowbench.tracking.MetricPoint;
import io.flowbench.tracking.RunRecord;
import io.flowbench.tracking.RunStatus;
import io.flowbench.tracking.Tracker;
import io.flowbench.tracking.TrackingModule;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The linear probe at the end of a run, end to end on generated images whose 10 classes are linearly separable
 * in pixel space (written as Fashion-MNIST files): the latents of a briefly trained flow separate them far
 * above chance, the pixel baseline perfectly; with shuffled labels both fall to chance; the report shows the
 * probe, and a run without it reads and reports without the section.
 */
class LatentProbeTest {
    private static final double CHANCE = 1.0 / SeparableImages.CLASSES;

    @TempDir
    Path dir;

    private LocalStore run(String name, Long shuffleSeed, int steps, String probe) throws Exception {
        Path data = dir.resolve(name + "-data");
        SeparableImages.writeFashionMnist(data.resolve("fashion-mnist"), 800, 300, shuffleSeed);
        Path store = dir.resolve(name + "-mlruns");
        Path conf = dir.resolve(name + ".conf");
        Files.writeString(conf, """
                experiment {
                  name = %s
                  data { name = fashion-mnist }
                  model { kind = glow, levels = 2, depth = 1, hidden = 8 }
                  training { batch-size = 16, steps = %d, warmup-steps = 1, log-every-steps = %d }
                  evaluation { every-steps = %d, test-examples = 100, batch-size = 100, samples = 0 }
                  probe { %s }
                  tracking.uri = "%s"
                  variants = [ { name = glow } ]
                }
                """.formatted(name, steps, steps, steps, probe, store.toString().replace("\\", "/")));
        Injector injector = Guice.createInjector(new DataModule(new DataLocations(data)), new ConfigModule(),
                new TrackingModule(store.toString()), new TrainingModule(), new ReportingModule());
        ExperimentPlan plan = injector.getInstance(ExperimentPlanner.class).plan(Experiment.load(conf, List.of()));
        try (Tracker tracker = injector.getInstance(Tracker.class)) {
            assertEquals(RunStatus.FINISHED, injector.getInstance(ExperimentRunner.class).run(plan).get(0).status());
        }
        return new LocalStore(store);
    }

    private static double metric(LocalStore store, RunRecord run, String key) {
        List<MetricPoint> points = store.metricHistory(run.runId(), key);
        assertEquals(1, points.size(), key);
        return points.get(0).value();
    }

    private static RunRecord child(LocalStore store, String experiment) {
        return store.runs(store.experimentByName(experiment).orElseThrow().id()).stream()
                .filter(r -> r.runName().equals("glow-seed0")).findFirst().orElseThrow();
    }

    private static String report(LocalStore store, String experiment) {
        ModelConfigs models = Guice.createInjector(new ConfigModule()).getInstance(ModelConfigs.class);
        ExperimentResults results = ExperimentResults.load(store, models, experiment, null);
        return ComparisonReport.of(results, ReportSettings.DEFAULT).markdown();
    }

    @Test
    void latentsOfATrainedFlowSeparateTheClassesAndTheReportShowsIt() throws Exception {
        LocalStore store = run("separable", null, 40, "train-examples = 600, test-examples = 0");
        RunRecord run = child(store, "separable");
        assertEquals(1.0, metric(store, run, RunKeys.Metric.PROBE_PIXELS_TEST_ACCURACY), 0.01);
        double latents = metric(store, run, RunKeys.Metric.PROBE_TEST_ACCURACY);
        assertTrue(latents > 5 * CHANCE, "latent probe test accuracy " + latents + ", chance " + CHANCE);
        assertEquals(600, metric(store, run, RunKeys.Metric.PROBE_TRAIN_EXAMPLES));
        assertEquals(300, metric(store, run, RunKeys.Metric.PROBE_TEST_EXAMPLES));
        assertEquals(40, store.metricHistory(run.runId(), RunKeys.Metric.PROBE_TEST_ACCURACY).get(0).step());
        assertEquals("600", run.params().get("probe.train-examples"), "the probe's settings are params of the run");

        String md = report(store, "separable");
        assertTrue(md.contains("## Linear probe"), md);
        assertTrue(md.contains("| *pixels* | - | 100.00 |"), md);
        assertTrue(md.contains("600 training examples and scored on 300 test examples"), md);
        assertTrue(md.contains("Chance: 10.0% (10 classes)"), md);
    }

    /** Negative control: the same images with shuffled labels; 300 test images put chance within +-5% at 3 sd. */
    @Test
    void shuffledLabelsLeaveBothProbesAtChance() throws Exception {
        LocalStore store = run("shuffled", 5L, 10, "train-examples = 600, test-examples = 0");
        RunRecord run = child(store, "shuffled");
        for (String key : List.of(RunKeys.Metric.PROBE_TEST_ACCURACY, RunKeys.Metric.PROBE_PIXELS_TEST_ACCURACY)) {
            double accuracy = metric(store, run, key);
            assertTrue(Math.abs(accuracy - CHANCE) < 0.06, key + " = " + accuracy + ", chance " + CHANCE);
        }
    }

    @Test
    void aRunWithoutTheProbeReportsWithoutIt() throws Exception {
        LocalStore store = run("unprobed", null, 2, "enabled = false");
        RunRecord run = child(store, "unprobed");
        assertTrue(store.metricHistory(run.runId(), RunKeys.Metric.PROBE_TEST_ACCURACY).isEmpty());
        String md = report(store, "unprobed");
        assertFalse(md.contains("Linear probe"), md);
        assertTrue(md.contains("## Likelihood"), md);
    }
}
