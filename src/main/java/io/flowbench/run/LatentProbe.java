package io.flowbench.run;

import io.flowbench.data.DatasetSplits;
import io.flowbench.data.ImageDataset;
import io.flowbench.probe.LinearProbe;
import io.flowbench.probe.ProbeOutcome;
import io.flowbench.probe.ProbeSettings;
import io.flowbench.tracking.TrackedRun;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The linear probe at the end of a run (docs/linear-probe.md): the trained model, with its Polyak-averaged
 * weights when it keeps them, encodes the probe's training and test examples through the evaluation's forward
 * pass; logistic regression is fit on the latents and scored, beside the same fit on the examples' pixels
 * (computed once per dataset), and the accuracies are logged at the last step. Skipped when probe.enabled is
 * off, and with a note when the dataset has no labels. Registered after the checkpoint, so that a probe that
 * fails leaves the run's final checkpoint written.
 */
record LatentProbe(RunPlan plan, TrackedRun run, MetricLog metrics, Training training, DatasetCache datasets,
                   Progress progress) implements TrainingListener {

    @Override
    public void onFinish(long steps) throws IOException {
        ProbeSettings settings = plan.probe();
        DatasetSplits splits = training.splits();
        if (!settings.enabled()) {
            return;
        }
        if (!splits.train().labeled() || !splits.test().labeled()) {
            progress.message(run.name() + ": no linear probe: " + plan.data().dataset() + " has no labels");
            return;
        }
        long start = System.nanoTime();
        ImageDataset train = settings.trainExamples(splits.train());
        ImageDataset test = settings.testExamples(splits.test());
        LinearProbe probe = settings.probe();
        LinearProbe.Accuracy pixels = datasets.pixelProbe(train, test, probe);
        RunSettings s = plan.settings();
        List<float[][]> latents = training.withAveragedWeights(() -> List.of(
                new Evaluator(train, s.evalBatchSize(), s.evalNoiseSeed()).latents(training.model()),
                new Evaluator(test, s.evalBatchSize(), s.evalNoiseSeed()).latents(training.model())));
        LinearProbe.Accuracy accuracy = probe.fit(LinearProbe.Examples.of(latents.get(0), train),
                LinearProbe.Examples.of(latents.get(1), test));
        metrics.log(metricsOf(new ProbeOutcome(accuracy, pixels, train.size(), test.size())), steps);
        progress.message(String.format(Locale.ROOT, "%s: linear probe (%d training, %d test examples): test accuracy "
                        + "%.2f%% on latents, %.2f%% on pixels (training %.2f%%, %.2f%%); %s", run.name(), train.size(),
                test.size(), 100 * accuracy.test(), 100 * pixels.test(), 100 * accuracy.train(), 100 * pixels.train(),
                Progress.duration((System.nanoTime() - start) / 1e9)));
    }

    private static Map<String, Double> metricsOf(ProbeOutcome o) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put(RunKeys.Metric.PROBE_TRAIN_ACCURACY, o.latents().train());
        m.put(RunKeys.Metric.PROBE_TEST_ACCURACY, o.latents().test());
        m.put(RunKeys.Metric.PROBE_PIXELS_TRAIN_ACCURACY, o.pixels().train());
        m.put(RunKeys.Metric.PROBE_PIXELS_TEST_ACCURACY, o.pixels().test());
        m.put(RunKeys.Metric.PROBE_TRAIN_EXAMPLES, (double) o.trainExamples());
        m.put(RunKeys.Metric.PROBE_TEST_EXAMPLES, (double) o.testExamples());
        return m;
    }
}
