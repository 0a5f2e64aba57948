package io.flowbench.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowbench.flow.DynamicLinear;
import io.flowbench.flow.LatentShape;
import io.flowbench.flow.resflow.GradientMode;
import io.flowbench.flow.resflow.Roulette;
import io.flowbench.model.FlowModel;
import io.flowbench.model.ModelSpec;
import io.flowbench.model.ResFlowStep;
import io.flowbench.model.StepSpec;
import java.util.SplittableRandom;
import org.apache.commons.math3.linear.CholeskyDecomposition;
import org.apache.commons.math3.linear.MatrixUtils;
import org.apache.commons.math3.linear.RealMatrix;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.AdaMax;

/**
 * Trained on samples of a correlated Gaussian laid out as a 4x4 image, a flow's held-out
 * cross-entropy approaches the Gaussian's differential entropy (known in closed form), far below
 * what an independent (diagonal) model can reach.
 */
class KnownDensityTest {
    private static final LatentShape SHAPE = new LatentShape(1, 4, 4);
    private static final int D = 16;
    private static final double RHO = 0.9;
    private static final double SCALE = 0.1;

    /** AR(1) covariance over the raster order: Sigma_ij = scale^2 * rho^|i-j|. */
    private static RealMatrix covariance() {
        RealMatrix s = MatrixUtils.createRealMatrix(D, D);
        for (int i = 0; i < D; i++) {
            for (int j = 0; j < D; j++) {
                s.setEntry(i, j, SCALE * SCALE * Math.pow(RHO, Math.abs(i - j)));
            }
        }
        return s;
    }

    private static INDArray sample(RealMatrix cholesky, int n, SplittableRandom rng) {
        double[] out = new double[n * D];
        for (int k = 0; k < n; k++) {
            double[] e = new double[D];
            for (int i = 0; i < D; i++) {
                e[i] = rng.nextGaussian();
            }
            double[] x = cholesky.operate(e);
            System.arraycopy(x, 0, out, k * D, D);
        }
        return Nd4j.create(out, new long[] {n, 1, 4, 4}, DataType.DOUBLE).castTo(DataType.FLOAT);
    }

    @ParameterizedTest
    @ValueSource(strings = {"glow", "dlf", "resflow"})
    void heldOutCrossEntropyApproachesTheEntropy(String kind) {
        RealMatrix sigma = covariance();
        RealMatrix l = new CholeskyDecomposition(sigma).getL();
        double logDetSigma = 0;
        double logDiag = 0;
        for (int i = 0; i < D; i++) {
            logDetSigma += 2 * Math.log(l.getEntry(i, i));
            logDiag += Math.log(sigma.getEntry(i, i));
        }
        double nats2bits = 1.0 / (D * Math.log(2));
        double entropyBits = 0.5 * (D * Math.log(2 * Math.PI * Math.E) + logDetSigma) * nats2bits;
        double diagonalBits = 0.5 * (D * Math.log(2 * Math.PI * Math.E) + logDiag) * nats2bits;

        StepSpec step = switch (kind) {
            case "glow" -> new StepSpec.Glow(false);
            case "dlf" -> new StepSpec.Dlf(new DynamicLinear.Options(2, DynamicLinear.Form.NON_INVERSE,
                    DynamicLinear.Partition.EQUAL, DynamicLinear.FirstPart.LEARNED, 1.0, 0.0));
            default -> ResFlowStep.of(0.98, Roulette.POISSON, 2, 20, GradientMode.NEUMANN, true);
        };
        // resflow executes its whole power series per block (about ten Jacobian-vector products): half the
        // blocks and fewer steps keep the test short, and still reach the entropy.
        boolean resflow = kind.equals("resflow");
        ModelSpec spec = new ModelSpec(SHAPE, 2, resflow ? 2 : 4, 32, 8, 0, true, false, step);
        FlowModel model = FlowModel.build(spec, DataType.FLOAT, 11);
        FlowTrainer trainer = new FlowTrainer(model, new AdaMax(3e-3));
        SplittableRandom rng = new SplittableRandom(5);
        INDArray test = sample(l, 2000, new SplittableRandom(99));
        for (int i = 0; i < (resflow ? 250 : 400); i++) {
            trainer.step(sample(l, 64, rng), null);
        }
        // resflow: the evaluation estimator (20 exact terms), as a run evaluates.
        double heldOutBits = -model.forEvaluation().logProb(test, null).meanNumber().doubleValue() * nats2bits;
        String report = String.format("%s: held-out %.4f bits/dim, entropy %.4f, best diagonal model %.4f",
                kind, heldOutBits, entropyBits, diagonalBits);
        System.out.println(report);
        assertTrue(heldOutBits > entropyBits - 0.05, "cannot beat the true entropy beyond sampling noise: " + report);
        assertTrue(heldOutBits < entropyBits + 0.1, "should come within 0.1 bits/dim of the entropy: " + report);
    }
}
