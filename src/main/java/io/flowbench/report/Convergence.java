package io.flowbench.report;

import io.flowbench.report.EvalPoint.Budget;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * How fast each variant reaches a target test bits/dim, counted in steps, images seen and training time,
 * and its speed-up against the baseline variant.
 *
 * <p><b>Crossing.</b> A curve reaches the target at its first evaluation at or below it. The point is
 * placed by linear interpolation between that evaluation and the one before (which is above the target),
 * separately on each budget axis. Learning curves are convex and decreasing, so the chord lies above the
 * curve and interpolation slightly overstates the cost (a conservative estimate), while taking the first
 * evaluation at/below the target would round every cost up to the evaluation grid. When the very first
 * evaluation is already at or below the target there is nothing to interpolate from: that evaluation is
 * used and flagged ({@link Crossing#atFirstEvaluation()}), the true cost being lower.
 *
 * <p><b>Speed-up.</b> For each seed of a variant that reaches the target: the baseline's cost for the same
 * seed (same batches and noise) divided by the variant's cost; the baseline's mean cost over its seeds when
 * that seed did not reach it or is absent. Reported as mean ± sample sd over seeds (and min–max).
 */
public final class Convergence {

    private Convergence() {
    }

    /** Where a learning curve first reaches the target, on every budget axis. */
    public record Crossing(double step, double imagesSeen, double trainSeconds, boolean atFirstEvaluation) {
        public double at(Budget axis) {
            return axis.of(step, imagesSeen, trainSeconds);
        }
    }

    /** The first crossing of {@code target} by a curve ordered by step; empty when it never gets there. */
    public static Optional<Crossing> crossing(List<EvalPoint> curve, double target) {
        for (int i = 0; i < curve.size(); i++) {
            EvalPoint p = curve.get(i);
            if (!(p.testBpd() <= target)) {
                continue;
            }
            if (i == 0) {
                return Optional.of(new Crossing(p.step(), p.imagesSeen(), p.trainSeconds(), true));
            }
            EvalPoint q = curve.get(i - 1);
            double f = Double.isFinite(q.testBpd()) && q.testBpd() > p.testBpd()
                    ? (q.testBpd() - target) / (q.testBpd() - p.testBpd()) : 1.0;
            return Optional.of(new Crossing(lerp(q.step(), p.step(), f), lerp(q.imagesSeen(), p.imagesSeen(), f),
                    lerp(q.trainSeconds(), p.trainSeconds(), f), false));
        }
        return Optional.empty();
    }

    private static double lerp(double a, double b, double f) {
        return a + f * (b - a);
    }

    /**
     * The default target: the baseline's best test bits/dim, taken as the highest of its seeds' lowest
     * evaluations, so that every baseline seed reaches it. Empty when the baseline has no evaluations.
     */
    public static OptionalDouble defaultTarget(List<RunResult> baselineRuns) {
        return baselineRuns.stream().mapToDouble(RunResult::bestTestBpd).filter(Double::isFinite).max();
    }

    /** One variant's row of the convergence table. */
    public record Row(String variant, boolean baseline, int runs, int reached, Stats steps, Stats images,
                      Stats seconds, Stats speedupImages, Stats speedupTime, double best,
                      boolean boundedByFirstEvaluation) {

        /** No seed of this variant reached the target. */
        public boolean neverReached() {
            return reached == 0;
        }
    }

    /** The convergence table: one row per variant, in {@code results}' order. */
    public static List<Row> table(ExperimentResults results, String baseline, double target) {
        Map<String, Map<Long, Crossing>> reached = new HashMap<>();
        for (String v : results.variants()) {
            Map<Long, Crossing> bySeed = new HashMap<>();
            for (RunResult r : results.runsOf(v)) {
                crossing(r.curve(), target).ifPresent(c -> bySeed.put(r.seed(), c));
            }
            reached.put(v, bySeed);
        }
        Map<Long, Crossing> base = reached.getOrDefault(baseline, Map.of());
        List<Row> rows = new ArrayList<>();
        for (String v : results.variants()) {
            List<RunResult> runs = results.runsOf(v);
            Map<Long, Crossing> mine = reached.get(v);
            List<Double> steps = new ArrayList<>();
            List<Double> images = new ArrayList<>();
            List<Double> seconds = new ArrayList<>();
            List<Double> upImages = new ArrayList<>();
            List<Double> upTime = new ArrayList<>();
            for (RunResult r : runs) {
                Crossing c = mine.get(r.seed());
                if (c == null) {
                    continue;
                }
                steps.add(c.step());
                images.add(c.imagesSeen());
                seconds.add(c.trainSeconds());
                upImages.add(baselineCost(base, r.seed(), Budget.IMAGES) / c.imagesSeen());
                upTime.add(baselineCost(base, r.seed(), Budget.TIME) / c.trainSeconds());
            }
            double best = runs.stream().mapToDouble(RunResult::bestTestBpd).filter(Double::isFinite).min()
                    .orElse(Double.NaN);
            rows.add(new Row(v, v.equals(baseline), runs.size(), mine.size(), Stats.of(steps), Stats.of(images),
                    Stats.of(seconds), Stats.of(upImages), Stats.of(upTime), best,
                    mine.values().stream().anyMatch(Crossing::atFirstEvaluation)));
        }
        return rows;
    }

    /** The baseline's cost for this seed, or its mean over seeds when this seed did not reach the target. */
    private static double baselineCost(Map<Long, Crossing> base, long seed, Budget axis) {
        Crossing same = base.get(seed);
        if (same != null) {
            return same.at(axis);
        }
        return base.values().stream().mapToDouble(c -> c.at(axis)).average().orElse(Double.NaN);
    }
}
