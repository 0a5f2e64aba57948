package io.flowbench.flow.resflow;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowbench.flow.LatentShape;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.apache.commons.math3.stat.descriptive.SummaryStatistics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The log-det estimate is unbiased: on tiny inputs (D = 16 and 64) with a Jacobian whose power
 * series needs many terms, the mean of many independent estimates (one Hutchinson vector and one
 * roulette draw each) is within 3 standard errors of log|det| of the finite-difference Jacobian,
 * for both roulette distributions and several n-exact. The same estimator without the
 * 1 / P(N >= k - n) reweighting must fail that check, or the check could not see a bias.
 */
class UnbiasedLogDetTest {
    private static final int CAPACITY = 40;
    private static final int BATCH = 2000;
    private static final int BATCHES = 5;

    static Stream<Arguments> estimators() {
        return Stream.of(
                Arguments.of(new LatentShape(4, 2, 2), Roulette.POISSON, 1),
                Arguments.of(new LatentShape(4, 2, 2), Roulette.GEOMETRIC, 2),
                Arguments.of(new LatentShape(4, 4, 4), Roulette.POISSON, 2),
                Arguments.of(new LatentShape(4, 4, 4), Roulette.POISSON, 4),
                Arguments.of(new LatentShape(4, 4, 4), Roulette.GEOMETRIC, 1),
                Arguments.of(new LatentShape(4, 4, 4), Roulette.GEOMETRIC, 3));
    }

    @ParameterizedTest(name = "D={0}, {1}, n-exact {2}")
    @MethodSource("estimators")
    void meanOfEstimatesIsExactLogDet(LatentShape shape, Roulette roulette, int nExact) {
        SeriesOptions series = new SeriesOptions(roulette, nExact, CAPACITY, GradientMode.BACKPROP_SERIES);
        Check check = check(new BlockHarness(DataType.DOUBLE, shape, shape.channels(), true, series), true);
        assertTrue(check.deviation() < 3 * check.standardError(), check.toString());
    }

    /** A fully connected block on a flattened latent (D = 32). */
    @ParameterizedTest(name = "fully connected, {0}, n-exact {1}")
    @MethodSource("fullyConnected")
    void fullyConnectedMeanOfEstimatesIsExactLogDet(Roulette roulette, int nExact) {
        SeriesOptions series = new SeriesOptions(roulette, nExact, CAPACITY, GradientMode.BACKPROP_SERIES);
        Check check = check(BlockHarness.fullyConnected(DataType.DOUBLE, 32, 8, true, series), true);
        assertTrue(check.deviation() < 3 * check.standardError(), check.toString());
    }

    static Stream<Arguments> fullyConnected() {
        return Stream.of(Arguments.of(Roulette.POISSON, 2), Arguments.of(Roulette.GEOMETRIC, 1));
    }

    @Test
    void estimatorWithoutReweightingFailsTheSameCheck() {
        SeriesOptions series = new SeriesOptions(Roulette.POISSON, 1, CAPACITY, GradientMode.BACKPROP_SERIES);
        Check check = check(new BlockHarness(DataType.DOUBLE, new LatentShape(4, 4, 4), 4, true, series), false);
        assertTrue(check.deviation() > 3 * check.standardError(), "the biased estimator passed: " + check);
    }

    /** The mean of many estimates on a block made {@link BlockHarness#strongJacobian}, against the exact log|det|. */
    private static Check check(BlockHarness harness, boolean reweight) {
        BlockHarness h = harness.strongJacobian(5);
        LatentShape shape = h.shape;
        SeriesOptions series = h.block.series();
        INDArray x = h.input(1, 9).mul(0.2).add(1.5);
        double exact = h.exactLogDet(x);
        INDArray batch = Nd4j.repeat(x, BATCH).reshape(BATCH, shape.channels(), shape.height(), shape.width());
        SplittableRandom rng = new SplittableRandom(17);
        SummaryStatistics stats = new SummaryStatistics();
        for (int b = 0; b < BATCHES; b++) {
            INDArray estimates = h.output(h.feedPerExample(batch, rng, reweight), "logdet");
            for (long i = 0; i < estimates.length(); i++) {
                stats.addValue(estimates.getDouble(i));
            }
        }
        Check check = new Check(exact, stats.getMean(), stats.getStandardDeviation() / Math.sqrt(stats.getN()));
        System.out.println("D=" + shape + " " + series.roulette() + " n-exact " + series.nExact() + (reweight ? "" : " unweighted")
                + ": " + check);
        return check;
    }

    private record Check(double exact, double mean, double standardError) {
        double deviation() {
            return Math.abs(mean - exact);
        }
    }
}
