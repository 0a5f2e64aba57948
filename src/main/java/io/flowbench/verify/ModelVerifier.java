package io.flowbench.verify;

import io.flowbench.model.FlowModel;
import java.util.SplittableRandom;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Numerical checks of a whole flow model: decode(encode(x)) == x, and the graph's log-det against
 * log|det| of a finite-difference Jacobian of x -> (all latents).
 */
public final class ModelVerifier {
    /** Central-difference step for double-precision Jacobians. */
    public static final double JACOBIAN_STEP = 1e-5;

    private ModelVerifier() {
    }

    /** Result of one check: the measured error against its tolerance. */
    public record Check(String name, double error, double tolerance) {
        public boolean passed() {
            return error <= tolerance && !Double.isNaN(error);
        }

        @Override
        public String toString() {
            return String.format("%-44s %-5s error %.3e (tolerance %.0e)", name, passed() ? "ok" : "FAIL", error, tolerance);
        }
    }

    /** Random dequantized-image-like inputs in [-0.5, 0.5): [n, C, H, W]. */
    public static INDArray randomInput(FlowModel model, int n, long seed) {
        var shape = model.spec().input();
        SplittableRandom rng = new SplittableRandom(seed);
        double[] v = new double[Math.toIntExact(n * shape.size())];
        for (int i = 0; i < v.length; i++) {
            v[i] = rng.nextDouble() - 0.5;
        }
        return Nd4j.create(v, new long[] {n, shape.channels(), shape.height(), shape.width()}, DataType.DOUBLE)
                .castTo(model.dtype());
    }

    /** One-hot labels cycling through the classes, or null for an unconditional model. */
    public static INDArray labelsFor(FlowModel model, int n) {
        if (!model.spec().conditional()) {
            return null;
        }
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % model.spec().numClasses();
        }
        return model.oneHot(labels);
    }

    /**
     * Adds N(0, std^2) noise to every trainable parameter, so that zero-initialised layers (which
     * start as the identity) are exercised by the checks.
     */
    public static void perturbParameters(FlowModel model, double std, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        for (SDVariable v : model.graph().variables()) {
            if (v.getVariableType() != VariableType.VARIABLE) {
                continue;
            }
            INDArray arr = v.getArr();
            double[] noise = new double[Math.toIntExact(arr.length())];
            for (int i = 0; i < noise.length; i++) {
                noise[i] = std * rng.nextGaussian();
            }
            arr.addi(Nd4j.create(noise, arr.shape(), DataType.DOUBLE).castTo(arr.dataType()));
        }
        model.renormalise();
    }

    /** max |decode(encode(x)) - x| over a batch. */
    public static double reconstructionError(FlowModel model, INDArray x, INDArray labels) {
        INDArray back = model.decode(model.encode(x, labels), labels);
        return back.castTo(DataType.DOUBLE).sub(x.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
    }

    /**
     * Relative error |logdet_graph - logdet_numeric| / max(1, |logdet_numeric|) at one example
     * x [1, C, H, W]. Use a double-precision model.
     */
    public static double logDetRelativeError(FlowModel model, INDArray x, INDArray label) {
        double numeric = numericLogDet(model, x, label);
        double analytic = model.graph().output(model.inputs(x, label), FlowModel.LOG_DET)
                .get(FlowModel.LOG_DET).getDouble(0);
        return Math.abs(analytic - numeric) / Math.max(1.0, Math.abs(numeric));
    }

    /**
     * For a model whose log-det is a random estimate (resflow): the mean of {@code draws} independent
     * estimates at one example x [1, C, H, W] (each the mean over a batch of {@code copies} copies of x,
     * with its own stream) against log|det| of the finite-difference Jacobian. It passes within 3
     * standard errors of the mean, plus the finite differences' 1e-3 (relative). Use a double-precision model.
     */
    public static Check logDetEstimate(FlowModel model, INDArray x, INDArray label, int draws, int copies) {
        double numeric = numericLogDet(model, x, label);
        INDArray batch = Nd4j.repeat(x, copies).reshape(copies, x.size(1), x.size(2), x.size(3));
        INDArray labels = label == null ? null : Nd4j.repeat(label, copies).reshape(copies, -1);
        double sum = 0;
        double squares = 0;
        for (int d = 0; d < draws; d++) {
            double estimate = model.graph().output(model.estimatorInputs(batch, labels, d), FlowModel.LOG_DET)
                    .get(FlowModel.LOG_DET).meanNumber().doubleValue();
            sum += estimate;
            squares += estimate * estimate;
        }
        double mean = sum / draws;
        double standardError = Math.sqrt(Math.max(0, (squares - draws * mean * mean) / (draws - 1)) / draws);
        return new Check("log-det estimate vs finite-diff. (3 s.e.)",
                Math.abs(mean - numeric), 3 * standardError + 1e-3 * Math.max(1.0, Math.abs(numeric)));
    }

    /** log|det| of the finite-difference Jacobian of x -> (all latents) at x [1, C, H, W] (a DOUBLE model). */
    private static double numericLogDet(FlowModel model, INDArray x, INDArray label) {
        if (model.dtype() != DataType.DOUBLE) {
            throw new IllegalArgumentException("finite-difference log-det checks need a DOUBLE model, got " + model.dtype());
        }
        return NumericalJacobian.logAbsDet(batch -> {
            INDArray labels = label == null ? null : Nd4j.repeat(label, (int) batch.size(0)).reshape(batch.size(0), -1);
            return model.latents(batch, labels);
        }, x, JACOBIAN_STEP);
    }
}
