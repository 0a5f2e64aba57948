package io.flowbench.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowbench.report.EvalPoint.Budget;
import java.awt.Color;
import java.awt.image.BufferedImage;
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
        BufferedImage onePoint = ImageIO.read(new ByteArrayInputStream(CurveChart.png(one, Budget.IMAGES, 5.0, Optional.empty())));
        assertEquals(900, onePoint.getWidth());
        assertEquals(560, onePoint.getHeight());
        assertTrue(pixels(onePoint, FIRST_VARIANT) > 0, "the one evaluation is drawn in the first variant's colour");
        ExperimentResults none = ConvergenceTest.results(new RunResult("r", "glow-seed0", "glow", 0,
                io.flowbench.tracking.RunStatus.FAILED, java.util.Optional.empty(), 0, 0, 0, Double.NaN,
                java.util.OptionalDouble.empty(), List.of()));
        BufferedImage empty = ImageIO.read(new ByteArrayInputStream(CurveChart.png(none, Budget.TIME, Double.NaN, Optional.empty())));
        assertEquals(900, empty.getWidth());
        assertEquals(0, pixels(empty, FIRST_VARIANT), "no curve is drawn without evaluations");
    }

    /** The chart colours of the first and second variants (matplotlib's first two). */
    static final Color FIRST_VARIANT = new Color(31, 119, 180);
    static final Color SECOND_VARIANT = new Color(214, 39, 40);

    /** How many pixels of a chart have exactly this colour. */
    static long pixels(BufferedImage image, Color color) {
        long n = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                n += (image.getRGB(x, y) & 0xffffff) == (color.getRGB() & 0xffffff) ? 1 : 0;
            }
        }
        return n;
    }
}
