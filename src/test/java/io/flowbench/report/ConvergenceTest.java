package io.flowbench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowbench.report.Convergence.Crossing;
import io.flowbench.tracking.RunRecord;
import io.flowbench.tracking.RunStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.LongToDoubleFunction;
import org.junit.jupiter.api.Test;

/** The target and crossing logic of the convergence table on hand-made learning curves. */
class ConvergenceTest {

    /** Evaluations every 100 steps to {@code steps}, batch 64, {@code secondsPerStep} of training per step. */
    static List<EvalPoint> curve(long steps, double secondsPerStep, LongToDoubleFunction bpd) {
        List<EvalPoint> c = new ArrayList<>();
        for (long s = 100; s <= steps; s += 100) {
            c.add(new EvalPoint(s, s * 64.0, s * secondsPerStep, bpd.applyAsDouble(s)));
        }
        return c;
    }

    static RunResult run(String variant, long seed, List<EvalPoint> curve) {
        return new RunResult("id-" + variant + seed, variant + "-seed" + seed, variant, seed, RunStatus.FINISHED,
                Optional.empty(), curve.get(curve.size() - 1).step(), curve.get(curve.size() - 1).imagesSeen(),
                curve.get(curve.size() - 1).trainSeconds(), 500, OptionalDouble.empty(), curve);
    }

    static ExperimentResults results(RunResult... runs) {
        RunRecord parent = new RunRecord("parent", "1", "exp", RunStatus.FINISHED, 0L, 1L, "", "active", Map.of(),
                Map.of(), Map.of());
        return new ExperimentResults("exp", "memory", parent, 0, List.of(runs));
    }

    @Test
    void crossingIsInterpolatedLinearlyBetweenTheEvaluationsAroundTheTarget() {
        List<EvalPoint> c = curve(1000, 0.5, s -> 4.0 - s / 1000.0); // 3.9 at 100 ... 3.0 at 1000
        Crossing x = Convergence.crossing(c, 3.25).orElseThrow();
        assertEquals(750, x.step(), 1e-9);
        assertEquals(750 * 64, x.imagesSeen(), 1e-6);
        assertEquals(375, x.trainSeconds(), 1e-9);
        assertFalse(x.atFirstEvaluation());
        assertEquals(1000, Convergence.crossing(c, 3.0).orElseThrow().step(), 1e-9, "reached exactly at the last evaluation");
    }

    @Test
    void aCurveThatNeverGetsThereHasNoCrossing() {
        List<EvalPoint> c = curve(1000, 0.5, s -> 4.0 - s / 1000.0);
        assertEquals(Optional.empty(), Convergence.crossing(c, 2.99));
        assertEquals(Optional.empty(), Convergence.crossing(List.of(), 3.0));
    }

    @Test
    void theFirstCrossingCountsAndAFirstEvaluationBelowTheTargetIsFlagged() {
        List<EvalPoint> bumpy = List.of(new EvalPoint(100, 6400, 10, 3.5), new EvalPoint(200, 12800, 20, 3.0),
                new EvalPoint(300, 19200, 30, 3.4), new EvalPoint(400, 25600, 40, 2.9));
        assertEquals(180, Convergence.crossing(bumpy, 3.1).orElseThrow().step(), 1e-9);
        Crossing early = Convergence.crossing(bumpy, 3.6).orElseThrow();
        assertTrue(early.atFirstEvaluation());
        assertEquals(100, early.step());
    }

    @Test
    void defaultTargetIsTheWorstOfTheBaselineSeedsBestSoEverySeedReachesIt() {
        RunResult s0 = run("glow", 0, curve(1000, 0.1, s -> 4.0 - s / 1000.0));   // best 3.00
        RunResult s1 = run("glow", 1, curve(1000, 0.1, s -> 4.05 - s / 1000.0));  // best 3.05
        assertEquals(3.05, Convergence.defaultTarget(List.of(s0, s1)).orElseThrow(), 1e-12);
        assertTrue(Convergence.defaultTarget(List.of()).isEmpty());
    }

    @Test
    void speedUpIsPairedBySeedAndAVariantThatNeverReachesTheTargetSaysSo() {
        ExperimentResults r = results(
                run("glow", 0, curve(1000, 0.1, s -> 4.0 - s / 1000.0)),
                run("glow", 1, curve(1000, 0.1, s -> 4.05 - s / 1000.0)),
                run("dlf", 0, curve(1000, 0.25, s -> 4.0 - 2 * s / 1000.0)),
                run("dlf", 1, curve(1000, 0.25, s -> 4.05 - 2 * s / 1000.0)),
                run("slow", 0, curve(1000, 0.1, s -> 4.0 - s / 2000.0)));
        List<Convergence.Row> rows = Convergence.table(r, "glow", 3.05);
        Convergence.Row glow = rows.get(0);
        Convergence.Row dlf = rows.get(1);
        Convergence.Row slow = rows.get(2);
        assertTrue(glow.baseline());
        assertEquals(2, glow.reached());
        assertEquals(975, glow.steps().mean(), 1e-9, "seed 0 at 950, seed 1 at 1000");
        assertEquals(1.0, glow.speedupImages().mean(), 1e-12);
        assertEquals(2, dlf.reached());
        assertEquals(487.5, dlf.steps().mean(), 1e-9);
        assertEquals(2.0, dlf.speedupImages().mean(), 1e-9, "half the images for each seed");
        assertEquals(0.0, dlf.speedupImages().sd(), 1e-9);
        assertEquals(0.8, dlf.speedupTime().mean(), 1e-9, "2x fewer steps at 2.5x the time per step");
        assertTrue(slow.neverReached());
        assertEquals(3.5, slow.best(), 1e-12);
        assertTrue(slow.speedupImages().isEmpty());
    }

    @Test
    void aSeedTheBaselineLacksIsComparedWithTheBaselineMean() {
        ExperimentResults r = results(
                run("glow", 0, curve(1000, 0.1, s -> 4.0 - s / 1000.0)),      // 3.5 at step 500
                run("dlf", 0, curve(1000, 0.1, s -> 4.0 - 2 * s / 1000.0)),    // at 250
                run("dlf", 7, curve(1000, 0.1, s -> 4.0 - 4 * s / 1000.0)));   // at 125
        Convergence.Row dlf = Convergence.table(r, "glow", 3.5).get(1);
        assertEquals(3.0, dlf.speedupImages().mean(), 1e-9, "(2 + 4) / 2");
        assertEquals(2.0, dlf.speedupImages().min(), 1e-9);
        assertEquals(4.0, dlf.speedupImages().max(), 1e-9);
    }
}
