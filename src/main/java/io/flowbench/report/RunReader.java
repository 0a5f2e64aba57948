package io.flowbench.report;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import io.flowbench.config.ConfigError;
import io.flowbench.config.ModelConfigs;
import io.flowbench.flow.LatentShape;
import io.flowbench.reference.LikelihoodReference;
import io.flowbench.model.ModelSpec;
import io.flowbench.probe.LinearProbe;
import io.flowbench.probe.ProbeOutcome;
import io.flowbench.run.RunKeys.Metric;
import io.flowbench.run.RunKeys.Param;
import io.flowbench.run.RunKeys.Tag;
import io.flowbench.run.PastDefaults;
import io.flowbench.run.RunKeys;
import io.flowbench.run.RunSettings;
import io.flowbench.tracking.MetricPoint;
import io.flowbench.tracking.RunRecord;
import io.flowbench.tracking.RunStatus;
import io.flowbench.tracking.TrackingStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.commons.math3.stat.descriptive.rank.Median;

/**
 * Reads a child run of {@code flowbench run} back from a tracking store by the names of {@link RunKeys}, with
 * the model spec and run settings rebuilt from its params by the readers that planned it. A key the report
 * needs and the run lacks is an {@link IllegalArgumentException} naming the run, the key and what needs it;
 * only what a run that did not finish may lack is optional (its inputs, budget and final evaluation), and what
 * runs recorded before it existed lack (volume figures, the linear probe).
 */
final class RunReader {
    /** The configuration keys every run logs: those of reference.conf's blocks that are read back. */
    private static final List<String> CONFIG_KEYS = configKeys();

    private final TrackingStore store;
    private final ModelConfigs models;

    RunReader(TrackingStore store, ModelConfigs models) {
        this.store = store;
        this.models = models;
    }

    RunResult read(RunRecord r) {
        String variant = required(r, "tag", Tag.VARIANT, r.tags(), "to group runs by variant");
        long seed = number(r, Tag.SEED, required(r, "tag", Tag.SEED, r.tags(), "to pair runs by seed"));
        TreeMap<Long, Double> test = byStep(r, Metric.TEST_BPD);
        TreeMap<Long, Double> images = byStep(r, Metric.IMAGES_SEEN);
        TreeMap<Long, Double> seconds = byStep(r, Metric.TRAIN_TIME_SEC);
        TreeMap<Long, Double> finalBpd = byStep(r, Metric.FINAL_TEST_BPD);
        List<EvalPoint> curve = new ArrayList<>();
        test.forEach((step, bpd) -> curve.add(new EvalPoint(step, at(r, Metric.IMAGES_SEEN, images, step, Metric.TEST_BPD),
                at(r, Metric.TRAIN_TIME_SEC, seconds, step, Metric.TEST_BPD), bpd)));
        if (r.status() == RunStatus.FINISHED) {
            requireAtEnd(r, Metric.FINAL_TEST_BPD, finalBpd);
            requireAtEnd(r, Metric.IMAGES_SEEN, images);
            requireAtEnd(r, Metric.TRAIN_TIME_SEC, seconds);
        }
        long steps = images.isEmpty() ? 0 : images.lastKey();
        double imagesSeen = images.isEmpty() ? 0 : images.lastEntry().getValue();
        double trainSeconds = seconds.isEmpty() ? 0 : seconds.lastEntry().getValue();
        List<Double> windows = new ArrayList<>(byStep(r, Metric.IMAGES_PER_SEC).values());
        OptionalDouble finalTestBpd = finalBpd.isEmpty() ? OptionalDouble.empty()
                : OptionalDouble.of(finalBpd.lastEntry().getValue());
        TreeMap<Long, Double> finalStderr = byStep(r, Metric.standardError(Metric.FINAL_TEST_BPD));
        OptionalDouble finalTestBpdStderr = finalStderr.isEmpty() ? OptionalDouble.empty()
                : OptionalDouble.of(finalStderr.lastEntry().getValue());
        Optional<RunInputs> inputs = r.params().isEmpty() && r.status() != RunStatus.FINISHED
                ? Optional.empty() : Optional.of(inputs(r));
        return new RunResult(r.runId(), r.runName(), variant, seed, r.status(), inputs, steps, imagesSeen, trainSeconds,
                steadyThroughput(windows, imagesSeen, trainSeconds), finalTestBpd, finalTestBpdStderr, curve,
                volumeBits(r, inputs, test),
                probe(r));
    }

    /** The last linear probe, when the run logged one: all its metrics at the step of its test accuracy. */
    private Optional<ProbeOutcome> probe(RunRecord r) {
        TreeMap<Long, Double> test = byStep(r, Metric.PROBE_TEST_ACCURACY);
        if (test.isEmpty()) {
            return Optional.empty();
        }
        long step = test.lastKey();
        String with = Metric.PROBE_TEST_ACCURACY;
        return Optional.of(new ProbeOutcome(
                new LinearProbe.Accuracy(at(r, Metric.PROBE_TRAIN_ACCURACY, step, with), test.get(step)),
                new LinearProbe.Accuracy(at(r, Metric.PROBE_PIXELS_TRAIN_ACCURACY, step, with),
                        at(r, Metric.PROBE_PIXELS_TEST_ACCURACY, step, with)),
                (int) at(r, Metric.PROBE_TRAIN_EXAMPLES, step, with), (int) at(r, Metric.PROBE_TEST_EXAMPLES, step, with)));
    }

    /** Each level's volume change at the last periodic evaluation, when the run logged it there. */
    private List<Double> volumeBits(RunRecord r, Optional<RunInputs> inputs, TreeMap<Long, Double> test) {
        if (inputs.isEmpty() || test.isEmpty()) {
            return List.of();
        }
        List<Double> volumes = new ArrayList<>();
        for (int level = 0; level < inputs.get().model().levels(); level++) {
            Double v = byStep(r, Metric.volume(level)).get(test.lastKey());
            if (v == null) {
                return List.of();
            }
            volumes.add(v);
        }
        return volumes;
    }

    /** The run's data, model and settings: its config blocks rebuilt from the flattened params and read back. */
    private RunInputs inputs(RunRecord r) {
        Map<String, String> params = r.params();
        List<String> absent = CONFIG_KEYS.stream()
                .filter(k -> !params.containsKey(k) && !Param.ADDED_WITH_PAST_DEFAULT.contains(k)).toList();
        if (!absent.isEmpty()) {
            throw missing(r, absent.size() == 1 ? "param" : "params", String.join(", ", absent),
                    "the report rebuilds its model and run settings from them");
        }
        Map<String, String> config = params.entrySet().stream()
                .filter(e -> Param.CONFIG_BLOCKS.contains(e.getKey().split("\\.", 2)[0]))
                .filter(e -> !Param.MODEL_FACTS.contains(e.getKey()))
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
        String shape = required(r, "param", Param.TRAIN_SHAPE, params, "as the model's input shape");
        String[] chw = shape.split("x");
        if (chw.length != 3) {
            throw new IllegalArgumentException(run(r) + ": param " + Param.TRAIN_SHAPE + " is '" + shape
                    + "', expected CxHxW");
        }
        LatentShape input = new LatentShape((int) number(r, Param.TRAIN_SHAPE, chw[0]),
                (int) number(r, Param.TRAIN_SHAPE, chw[1]), (int) number(r, Param.TRAIN_SHAPE, chw[2]));
        int classes = (int) number(r, Param.TRAIN_CLASSES, required(r, "param", Param.TRAIN_CLASSES, params,
                "for a class-conditional model"));
        try {
            Config c = ConfigFactory.parseMap(config, "params").withFallback(PastDefaults.config());
            ModelSpec spec = models.toSpec(c.getConfig("model"), input, classes);
            return new RunInputs(required(r, "param", Param.DATASET, params, "to name the dataset"),
                    (int) number(r, Param.SUBSET, required(r, "param", Param.SUBSET, params, "to compare with papers")),
                    number(r, Param.TRAIN_EXAMPLES, required(r, "param", Param.TRAIN_EXAMPLES, params, "for the header")),
                    number(r, Param.TEST_EXAMPLES, required(r, "param", Param.TEST_EXAMPLES, params, "for the header")),
                    classes, spec, RunSettings.from(c),
                    number(r, Param.PARAMETER_COUNT, required(r, "param", Param.PARAMETER_COUNT, params,
                            "for the likelihood table")), reference(r, params, spec));
        } catch (ConfigException | ConfigError e) {
            throw new IllegalArgumentException(run(r) + ": its params do not rebuild its configuration ("
                    + e.getMessage() + "); the report reads the model and settings from them", e);
        }
    }

    /** The likelihood reference when the run logged it: all six figures, or none. */
    private Optional<LikelihoodReference> reference(RunRecord r, Map<String, String> params, ModelSpec spec) {
        if (params.keySet().stream().noneMatch(k -> k.startsWith(Param.REFERENCE_PREFIX))) {
            return Optional.empty();
        }
        LikelihoodReference.Figure[] figures = new LikelihoodReference.Figure[3];
        String[] classes = {"linear", "affine", "diagonal"};
        for (int i = 0; i < classes.length; i++) {
            String train = Param.reference(classes[i], "train");
            String test = Param.reference(classes[i], "test");
            figures[i] = new LikelihoodReference.Figure(
                    decimal(r, train, required(r, "param", train, params, "with the other reference figures")),
                    decimal(r, test, required(r, "param", test, params, "with the other reference figures")));
        }
        return Optional.of(new LikelihoodReference(spec.nBits(), (int) spec.dimensions(), figures[0], figures[1],
                figures[2]));
    }

    private double decimal(RunRecord r, String key, String value) {
        try {
            return Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(run(r) + ": param " + key + " is '" + value + "', not a number", e);
        }
    }

    private static Config referenceConf() {
        return ConfigFactory.parseResources(RunReader.class.getClassLoader(), "reference.conf").getConfig("experiment");
    }

    private static List<String> configKeys() {
        Config reference = referenceConf();
        return Param.CONFIG_BLOCKS.stream().flatMap(block -> reference.getConfig(block).entrySet().stream()
                .map(e -> block + "." + e.getKey())).sorted().toList();
    }

    /**
     * Images/s after warm-up: the median of the logged windows without the first (graph building and
     * allocation), else the only window, else images over training time.
     */
    static double steadyThroughput(List<Double> windows, double imagesSeen, double trainSeconds) {
        List<Double> w = windows.size() > 1 ? windows.subList(1, windows.size()) : windows;
        double[] finite = w.stream().filter(Double::isFinite).mapToDouble(Double::doubleValue).toArray();
        if (finite.length == 0) {
            return trainSeconds > 0 ? imagesSeen / trainSeconds : Double.NaN;
        }
        return new Median().evaluate(finite);
    }

    /** A metric history by step; a step logged twice (a run resumed from an earlier checkpoint) keeps the last value. */
    private TreeMap<Long, Double> byStep(RunRecord r, String metric) {
        TreeMap<Long, Double> out = new TreeMap<>();
        for (MetricPoint p : store.metricHistory(r.runId(), metric)) {
            out.put(p.step(), p.value());
        }
        return out;
    }

    /** The value at a step of a metric logged together with metric {@code with}. */
    private double at(RunRecord r, String metric, TreeMap<Long, Double> byStep, long step, String with) {
        Double v = byStep.get(step);
        if (v == null) {
            throw missing(r, "metric", metric + " at step " + step, "it is logged with each " + with
                    + " at the same step");
        }
        return v;
    }

    private double at(RunRecord r, String metric, long step, String with) {
        return at(r, metric, byStep(r, metric), step, with);
    }

    private void requireAtEnd(RunRecord r, String metric, TreeMap<Long, Double> byStep) {
        if (byStep.isEmpty()) {
            throw missing(r, "metric", metric, "every FINISHED run logs it at its last step");
        }
    }

    private String required(RunRecord r, String kind, String key, Map<String, String> values, String why) {
        String v = values.get(key);
        if (v == null) {
            throw missing(r, kind, key, "the report needs it " + why);
        }
        return v;
    }

    private long number(RunRecord r, String key, String value) {
        try {
            return Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(run(r) + ": " + key + " is '" + value + "', expected a whole number");
        }
    }

    private IllegalArgumentException missing(RunRecord r, String kind, String key, String why) {
        return new IllegalArgumentException(run(r) + " has no " + kind + " " + key + " (" + why
                + "); was it written by another version of flowbench, or renamed?");
    }

    private String run(RunRecord r) {
        return "run " + r.runName() + " (" + r.runId() + ") in " + store.describe();
    }
}
