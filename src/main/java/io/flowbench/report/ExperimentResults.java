package io.flowbench.report;

import io.flowbench.tracking.ExperimentRecord;
import io.flowbench.tracking.MetricPoint;
import io.flowbench.tracking.RunRecord;
import io.flowbench.tracking.TrackingStore;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.commons.math3.stat.descriptive.rank.Median;

/**
 * The runs of one {@code flowbench run} of an experiment (the children of one parent run), read back from a
 * tracking store (the local ./mlruns or an MLflow server) with their learning curves. Nothing but the store
 * is needed, so a report can be rebuilt for runs made on another machine.
 *
 * @param store      where the runs were read (a path or a server URI), for the report's header
 * @param parent     the experiment's parent run
 * @param otherParents how many other parent runs (earlier or later invocations) the experiment has
 * @param runs       the child runs in the order they started (variants x seeds, as planned)
 */
public record ExperimentResults(String experiment, String store, RunRecord parent, int otherParents,
                                List<RunResult> runs) {
    static final String TAG_VARIANT = "flowbench.variant";
    static final String TAG_SEED = "flowbench.seed";

    public ExperimentResults {
        runs = List.copyOf(runs);
    }

    /** Variant names in the order their first run started. */
    public List<String> variants() {
        LinkedHashSet<String> names = new LinkedHashSet<>();
        runs.forEach(r -> names.add(r.variant()));
        return List.copyOf(names);
    }

    public List<RunResult> runsOf(String variant) {
        return runs.stream().filter(r -> r.variant().equals(variant)).toList();
    }

    /**
     * Reads an experiment's runs: those under {@code parentRunId}, or, when null, under its newest parent run
     * that has any. A missing experiment or parent is an {@link IllegalArgumentException} saying what exists.
     */
    public static ExperimentResults load(TrackingStore store, String experimentName, String parentRunId) {
        ExperimentRecord exp = store.experimentByName(experimentName).filter(ExperimentRecord::isActive)
                .orElseThrow(() -> new IllegalArgumentException("no experiment '" + experimentName + "' in "
                        + store.describe() + "; experiments there: " + String.join(", ", store.experiments().stream()
                        .filter(ExperimentRecord::isActive).map(ExperimentRecord::name).sorted().toList())));
        List<RunRecord> all = store.runs(exp.id());
        Map<String, List<RunRecord>> children = new LinkedHashMap<>();
        for (RunRecord r : all) {
            r.parentRunId().ifPresent(p -> children.computeIfAbsent(p, k -> new ArrayList<>()).add(r));
        }
        List<RunRecord> parents = all.stream().filter(r -> r.parentRunId().isEmpty() && children.containsKey(r.runId()))
                .sorted(Comparator.comparingLong(RunRecord::startTime).reversed()).toList();
        RunRecord parent;
        if (parentRunId != null) {
            parent = all.stream().filter(r -> r.runId().equals(parentRunId)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no run " + parentRunId + " in experiment '"
                            + experimentName + "' (" + store.describe() + "); its parent runs: " + ids(parents)));
            if (!children.containsKey(parentRunId)) {
                throw new IllegalArgumentException("run " + parentRunId + " has no child runs; the parent runs of '"
                        + experimentName + "' are: " + ids(parents));
            }
        } else if (parents.isEmpty()) {
            throw new IllegalArgumentException("experiment '" + experimentName + "' in " + store.describe()
                    + " has no runs made by `flowbench run` (a parent run with child runs)");
        } else {
            parent = parents.get(0);
        }
        List<RunResult> runs = children.get(parent.runId()).stream()
                .sorted(Comparator.comparingLong(RunRecord::startTime).thenComparing(RunRecord::runName))
                .map(r -> read(store, r)).toList();
        return new ExperimentResults(experimentName, store.describe(), parent, parents.size() - 1, runs);
    }

    private static String ids(List<RunRecord> parents) {
        return parents.isEmpty() ? "(none)" : String.join(", ", parents.stream().map(RunRecord::runId).toList());
    }

    static RunResult read(TrackingStore store, RunRecord r) {
        Map<String, String> params = r.params();
        String variant = r.tags().getOrDefault(TAG_VARIANT, params.getOrDefault("variant", r.runName()));
        long seed = parseLong(r.tags().getOrDefault(TAG_SEED, params.get("seed")), 0);
        TreeMap<Long, Double> test = byStep(store.metricHistory(r.runId(), "test_bpd"));
        TreeMap<Long, Double> images = byStep(store.metricHistory(r.runId(), "images_seen"));
        TreeMap<Long, Double> seconds = byStep(store.metricHistory(r.runId(), "train_time_sec"));
        TreeMap<Long, Double> finalBpd = byStep(store.metricHistory(r.runId(), "final_test_bpd"));
        List<Double> throughput = new ArrayList<>(byStep(store.metricHistory(r.runId(), "images_per_sec")).values());
        long batchSize = parseLong(params.get("training.batch-size"), 0);
        List<EvalPoint> curve = new ArrayList<>();
        test.forEach((step, bpd) -> curve.add(new EvalPoint(step,
                images.getOrDefault(step, (double) step * batchSize), seconds.getOrDefault(step, Double.NaN), bpd)));
        long steps = last(images).map(Map.Entry::getKey).orElse(0L);
        double imagesSeen = last(images).map(Map.Entry::getValue).orElse((double) steps * batchSize);
        double trainSeconds = last(seconds).map(Map.Entry::getValue).orElse(Double.NaN);
        double finalTestBpd = last(finalBpd).map(Map.Entry::getValue).orElse(Double.NaN);
        return new RunResult(r.runId(), r.runName(), variant, seed, r.status(), params,
                parseLong(params.get("model.parameter_count"), -1), steps, imagesSeen, trainSeconds,
                steadyThroughput(throughput, imagesSeen, trainSeconds), finalTestBpd, curve);
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
    private static TreeMap<Long, Double> byStep(List<MetricPoint> history) {
        TreeMap<Long, Double> out = new TreeMap<>();
        history.forEach(p -> out.put(p.step(), p.value()));
        return out;
    }

    private static Optional<Map.Entry<Long, Double>> last(TreeMap<Long, Double> byStep) {
        return Optional.ofNullable(byStep.lastEntry());
    }

    private static long parseLong(String s, long fallback) {
        if (s == null) {
            return fallback;
        }
        try {
            return Long.parseLong(s.strip());
        } catch (NumberFormatException e) {
            return fallback;
        }
    }
}
