package io.flowbench.report;

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
 * (3.05) at images in the ratio 2:1, dlf at 2.5x glow's time per step; "slow" never reaches it.
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
        Map<String, String> tags = Map.of("flowbench.variant", variant, "flowbench.seed", Long.toString(seed),
                "flowbench.model_kind", kind, "flowbench.dataset", "fashion-mnist");
        TrackedRun run = tracker.startRun(exp, variant + "-seed" + seed, tags, parent);
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("variant", variant);
        params.put("seed", seed);
        params.put("model.kind", kind);
        params.put("model.levels", 2);
        params.put("model.depth", 4);
        params.put("model.hidden", 64);
        params.put("model.description", kind + " (synthetic)");
        params.put("model.parameter_count", kind.equals("glow") ? 123456 : 98765);
        params.put("training.batch-size", BATCH);
        params.put("evaluation.every-steps", 100);
        params.put("evaluation.test-examples", 2000);
        params.put("data.name", "fashion-mnist");
        params.put("data.subset", 0);
        params.put("data.train.examples", 60000);
        params.put("data.test.examples", 10000);
        run.logParams(params);
        for (long step = 10; step <= 1000; step += 10) {
            run.logMetrics(Map.of("train_bpd", bpd.applyAsDouble(step) - 0.1, "images_seen", (double) step * BATCH,
                    "train_time_sec", step * secondsPerStep,
                    "images_per_sec", step == 10 ? 5.0 : BATCH / secondsPerStep), step);
            if (step % 100 == 0) {
                run.logMetrics(Map.of("test_bpd", bpd.applyAsDouble(step), "images_seen", (double) step * BATCH,
                        "train_time_sec", step * secondsPerStep), step);
            }
        }
        run.logMetrics(Map.of("final_test_bpd", finalBpd, "images_seen", 1000.0 * BATCH,
                "train_time_sec", 1000 * secondsPerStep), 1000);
        run.end(RunStatus.FINISHED);
    }
}
