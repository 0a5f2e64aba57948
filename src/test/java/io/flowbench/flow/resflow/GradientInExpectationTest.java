package io.flowbench.flow.resflow;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowbench.flow.LatentShape;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.commons.math3.stat.descriptive.SummaryStatistics;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The training gradient is right in expectation, in both gradient modes: on a one-block flow
 * (D = 8) the average of 5,000 stochastic gradients of -log-likelihood matches, for every parameter
 * (weights, biases, activation slopes), the central difference of the exact log-likelihood, whose
 * log-det comes from a finite-difference Jacobian. Per parameter the deviation is measured in
 * standard errors of the average: their mean square must be about 1 and none may be extreme.
 */
class GradientInExpectationTest {
    private static final LatentShape SHAPE = new LatentShape(2, 2, 2);
    private static final int BATCH = 250;
    private static final int REPEATS = 20;
    private static final double STEP = 1e-4;
    private static final double FD_ERROR = 1e-6;

    @ParameterizedTest
    @EnumSource(GradientMode.class)
    void averageGradientMatchesFiniteDifferences(GradientMode mode) {
        SeriesOptions series = new SeriesOptions(Roulette.POISSON, 2, 20, mode);
        BlockHarness h = new BlockHarness(DataType.DOUBLE, SHAPE, 4, true, series).strongJacobian(3);
        INDArray x = h.input(1, 4).mul(0.3).add(1.0);
        List<String> params = new ArrayList<>();
        for (SDVariable v : h.sd.variables()) {
            // The inverse's while loop adds an integer counter variable: not a parameter.
            if (v.getVariableType() == VariableType.VARIABLE && v.dataType().isFPType()) {
                params.add(v.name());
            }
        }
        INDArray batch = Nd4j.repeat(x, BATCH).reshape(BATCH, SHAPE.channels(), SHAPE.height(), SHAPE.width());
        SplittableRandom rng = new SplittableRandom(23);
        List<SummaryStatistics> stats = new ArrayList<>();
        for (int r = 0; r < REPEATS; r++) {
            Map<String, INDArray> grads = h.sd.calculateGradients(h.feedPerExample(batch, rng, true), params);
            int i = 0;
            for (String p : params) {
                INDArray g = grads.get(p);
                for (long j = 0; j < g.length(); j++, i++) {
                    if (stats.size() <= i) {
                        stats.add(new SummaryStatistics());
                    }
                    stats.get(i).addValue(g.getDouble(j));
                }
            }
        }
        double sumSquares = 0;
        double worst = 0;
        int i = 0;
        for (String p : params) {
            INDArray arr = h.sd.getArrForVarName(p);
            for (long j = 0; j < arr.length(); j++, i++) {
                double original = arr.getDouble(j);
                arr.putScalar(j, original + STEP);
                double up = h.exactLogLikelihood(x);
                arr.putScalar(j, original - STEP);
                double down = h.exactLogLikelihood(x);
                arr.putScalar(j, original);
                double exact = -(up - down) / (2 * STEP);
                SummaryStatistics s = stats.get(i);
                // Parameters the log-det does not depend on (the last bias) have exact gradients: there
                // the finite differences' own error, ~1e-6 relative, is the scale.
                double scale = s.getStandardDeviation() / Math.sqrt(s.getN()) + FD_ERROR * (1 + Math.abs(exact));
                double z = (s.getMean() - exact) / scale;
                sumSquares += z * z;
                worst = Math.max(worst, Math.abs(z));
            }
        }
        double meanSquare = sumSquares / i;
        System.out.println(mode + ": " + i + " parameters, mean squared z " + meanSquare + ", worst |z| " + worst);
        assertTrue(meanSquare < 2, "mean squared deviation " + meanSquare + " standard errors^2");
        assertTrue(worst < 5, "a parameter's average gradient is " + worst + " standard errors off");
    }
}
