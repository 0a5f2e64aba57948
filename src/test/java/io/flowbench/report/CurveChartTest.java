package io.flowbench.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.flowbench.report.EvalPoint.Budget;
import java.io.ByteArrayInputStream;
import java.util.List;
import java.util.Optional;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** The learning-curve band: seeds aggregated step by step, on either budget axis. */
class CurveChartTest {

    @Test
    void seedsAreAggregatedAtEachEvaluationStep() {
        List<EvalPoint> a = List.of(new EvalPoint(100, 6400, 10, 5.0), new EvalPoint(200, 12800, 20, 4.0));
        List<EvalPoint> b = List.of(new EvalPoint(100, 6400, 30, 6.0), new EvalPoint(200, 12800, 40, 3.0),
                new EvalPoint(300, 19200, 60, 2.5));
        CurveChart.Band time = CurveChart.band(List.of(a, b), Budget.TIME);
        assertArrayEquals(new double[] {20, 30, 60}, time.x(), 1e-12, "mean training time at each step");
        assertArrayEquals(new double[] {5.5, 3.5, 2.5}, time.mean(), 1e-12);
        assertArrayEquals(new double[] {5.0, 3.0, 2.5}, time.low(), 1e-12);
        assertArrayEquals(new double[] {6.0, 4.0, 2.5}, time.high(), 1e-12, "the last step has one seed");
        assertArrayEquals(new double[] {6400, 12800, 19200}, CurveChart.band(List.of(a, b), Budget.IMAGES).x(), 1e-12);
    }

    @Test
    void chartsRenderWithOnePointOrNoneAtAll() throws Exception {
        ExperimentResults one = ConvergenceTest.results(
                ConvergenceTest.run("glow", 0, List.of(new EvalPoint(100, 6400, 10, 5.0))));
        assertNotNull(ImageIO.read(new ByteArrayInputStream(CurveChart.png(one, Budget.IMAGES, 5.0, Optional.empty()))));
        ExperimentResults none = ConvergenceTest.results(new RunResult("r", "glow-seed0", "glow", 0,
                io.flowbench.tracking.RunStatus.FAILED, java.util.Optional.empty(), 0, 0, 0, Double.NaN,
                java.util.OptionalDouble.empty(), List.of()));
        assertNotNull(ImageIO.read(new ByteArrayInputStream(CurveChart.png(none, Budget.TIME, Double.NaN, Optional.empty()))));
    }
}
