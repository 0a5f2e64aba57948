package io.flowbench.report;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.flowbench.run.RunKeys.Metric;
import io.flowbench.run.RunKeys.Param;
import io.flowbench.run.RunKeys.Tag;
import io.flowbench.tracking.RunStatus;
import io.flowbench.tracking.TrackedRun;
import io.flowbench.tracking.Tracker;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongToDoubleFunction;

/**
 * An experiment written into a local MLflow store through {@link Tracker} the way {@code flowbench run} logs
 * one (parent run, one child per variant x seed with the same tags, params and metric keys), with learning
 * curves chosen by the test instead of trained: glow (the baseline) and dlf reach the default target
 * (3.05) at images in the ratio 2:1, dlf at 2.5x glow's time per step; "slow" never reaches it. Glow's and
 * dlf's runs have a linear probe (test accuracy 0.80 and 0.85, plus 0.01 x seed; pixels 0.82), slow's none.
 */
public final class SyntheticExperiment {
    public static final String NAME = "synthetic";
    static final int BATCH = 64;

    private SyntheticExperiment() {
    }

    /** Writes the experiment into the store at {@code store}; returns the parent run's id. */
    public static String write(Path store) {
        try (Tracker tracker = Tracker.open(store.toString())) {
            String exp = tracker.experiment(NAME);
            TrackedRun parent = tracker.startRun(exp, NAME, Map.of(), null);
            parent.logParams(new ReportSettings("glow", 0).params());
            for (long seed : new long[] {0, 1}) {
                double offset = 0.05 * seed;
                child(tracker, exp, parent.id(), "glow", "glow", seed, 0.1, s -> 4.0 + offset - s / 1000.0, 3.01 + offset);
                child(tracker, exp, parent.id(), "dlf", "dlf", seed, 0.25, s -> 4.0 + offset - 2 * s / 1000.0,
                        2.02 + offset);
            }
            child(tracker, exp, parent.id(), "slow", "dlf", 0, 0.1, s -> 4.0 - s / 2000.0, 3.52);
            parent.end(RunStatus.FINISHED);
            return parent.id();
        }
    }

    private static void child(Tracker tracker, String exp, String parent, String variant, String kind, long seed,
                              double secondsPerStep, LongToDoubleFunction bpd, double finalBpd) {
        Map<String, String> tags = Map.of(Tag.VARIANT, variant, Tag.SEED, Long.toString(seed),
                Tag.MODEL_KIND, kind, Tag.DATASET, "fashion-mnist");
        TrackedRun run = tracker.startRun(exp, variant + "-seed" + seed, tags, parent);
        // the run's configuration logged as the executor logs it: the resolved blocks, flattened
        Config reference = ConfigFactory.parseResources(SyntheticExperiment.class.getClassLoader(), "reference.conf")
                .getConfig("experiment");
        Config config = ConfigFactory.parseMap(Map.of("variant", variant, "seed", seed, "model.kind", kind,
                        "model.levels", 2, "model.depth", 4, "model.hidden", 64, "training.batch-size", BATCH,
                        "evaluation.every-steps", 100, "evaluation.test-examples", 2000))
                .withFallback(reference.withOnlyPath("model")).withFallback(reference.withOnlyPath("training"))
                .withFallback(reference.withOnlyPath("evaluation")).withFallback(reference.withOnlyPath("checkpoint"));
        // without the keys added later (as runs recorded before them): the report reads them with their past default
        for (String key : Param.ADDED_WITH_PAST_DEFAULT) {
            config = config.withoutPath(key);
        }
        run.logParams(config.root().unwrapped());
        Map<String, Object> params = new LinkedHashMap<>();
        params.put(Param.PARAMETER_COUNT, kind.equals("glow") ? 123456 : 98765);
        params.put(Param.MODEL_DESCRIPTION, kind + " (synthetic)");
        params.put(Param.DATASET, "fashion-mnist");
        params.put(Param.SUBSET, 0);
        params.put(Param.TRAIN_EXAMPLES, 60000);
        params.put(Param.TEST_EXAMPLES, 10000);
        params.put(Param.TRAIN_SHAPE, "1x28x28");
        params.put(Param.TRAIN_CLASSES, 10);
        run.logParams(params);
        for (long step = 10; step <= 1000; step += 10) {
            run.logMetrics(Map.of(Metric.TRAIN_BPD, bpd.applyAsDouble(step) - 0.1, Metric.IMAGES_SEEN, (double) step * BATCH,
                    Metric.TRAIN_TIME_SEC, step * secondsPerStep,
                    Metric.IMAGES_PER_SEC, step == 10 ? 5.0 : BATCH / secondsPerStep), step);
            if (step % 100 == 0) {
                run.logMetrics(Map.of(Metric.TEST_BPD, bpd.applyAsDouble(step), Metric.IMAGES_SEEN, (double) step * BATCH,
                        Metric.TRAIN_TIME_SEC, step * secondsPerStep), step);
            }
        }
        run.logMetrics(Map.of(Metric.FINAL_TEST_BPD, finalBpd, Metric.IMAGES_SEEN, 1000.0 * BATCH,
                Metric.TRAIN_TIME_SEC, 1000 * secondsPerStep), 1000);
        if (!variant.equals("slow")) { // "slow" stands for a run recorded before the linear probe existed
            double probe = (variant.equals("glow") ? 0.80 : 0.85) + 0.01 * seed;
            run.logMetrics(Map.of(Metric.PROBE_TRAIN_ACCURACY, probe + 0.05, Metric.PROBE_TEST_ACCURACY, probe,
                    Metric.PROBE_PIXELS_TRAIN_ACCURACY, 0.87, Metric.PROBE_PIXELS_TEST_ACCURACY, 0.82,
                    Metric.PROBE_TRAIN_EXAMPLES, 10000.0, Metric.PROBE_TEST_EXAMPLES, 10000.0), 1000);
        }
        run.end(RunStatus.FINISHED);
    }
}
