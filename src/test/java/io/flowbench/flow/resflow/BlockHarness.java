package io.flowbench.flow.resflow;

import io.flowbench.flow.FlowGraph;
import io.flowbench.flow.LatentShape;
import io.flowbench.flow.StochasticLayer;
import io.flowbench.flow.Transformed;
import io.flowbench.verify.NumericalJacobian;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One invertible residual block in a graph of its own: y, its log-det estimate, the log-likelihood
 * of y under N(0, I) plus that estimate (a one-block flow), and the fixed-point inverse of y.
 */
final class BlockHarness {
    final SameDiff sd = SameDiff.create();
    final FlowGraph graph;
    final LatentShape shape;
    final IResBlock block;

    /** A block on [C, H, W] images (3x3 outer convolutions). */
    BlockHarness(DataType dtype, LatentShape shape, int hidden, boolean preActivate, SeriesOptions series) {
        this(dtype, shape, g -> new IResBlock(g, "block", shape, hidden, preActivate, 0.98, series));
    }

    /** A fully connected block on {@code dimensions} values (shape [dimensions, 1, 1]). */
    static BlockHarness fullyConnected(DataType dtype, int dimensions, int hidden, boolean preActivate, SeriesOptions series) {
        return new BlockHarness(dtype, new LatentShape(dimensions, 1, 1),
                g -> IResBlock.fullyConnected(g, "block", dimensions, hidden, preActivate, 0.98, series));
    }

    private BlockHarness(DataType dtype, LatentShape shape, Function<FlowGraph, IResBlock> create) {
        this.graph = new FlowGraph(sd, dtype, 11);
        this.shape = shape;
        SDVariable x = sd.placeHolder("x", dtype, shape.batchShape());
        this.block = create.apply(graph);
        Transformed fwd = block.forward(x, null);
        fwd.value().rename("y");
        fwd.logDet().rename("logdet");
        SDVariable y = fwd.value();
        SDVariable logPrior = y.mul(y).sum(1, 2, 3).mul(-0.5).sub(0.5 * shape.size() * Math.log(2 * Math.PI));
        logPrior.add("loglik", fwd.logDet()).mean().neg().rename("loss");
        sd.setLossVariables("loss");
        block.inverse(fwd.value(), null).value().rename("x_back");
    }

    /** Scales every convolution's weights (so that spectral normalisation binds) and refreshes u, v. */
    BlockHarness amplify(double factor) {
        for (SDVariable v : sd.variables()) {
            if (v.getVariableType() == VariableType.VARIABLE && v.name().endsWith("/w")) {
                v.getArr().muli(factor);
            }
        }
        block.renormalise();
        return this;
    }

    /**
     * Makes g nearly an identity map scaled to the spectral bound (each kernel the identity at its
     * centre plus noise, normalised), so that J_g has eigenvalues near c^3 at positive inputs and
     * the power series needs many terms: the regime where a biased truncation shows.
     */
    BlockHarness strongJacobian(long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        for (SpectralNormConv conv : block.convolutions()) {
            INDArray w = sd.getArrForVarName(conv.name() + "/w");
            int centre = (int) (w.size(0) / 2);
            for (long i = 0; i < w.length(); i++) {
                w.putScalar(i, 0.05 * rng.nextGaussian());
            }
            for (int c = 0; c < Math.min(w.size(2), w.size(3)); c++) {
                w.putScalar(new long[] {centre, centre, c, c}, 3.0 + w.getDouble(centre, centre, c, c));
            }
            sd.getArrForVarName(conv.name() + "/b").assign(0.5);
        }
        block.renormalise();
        return this;
    }

    INDArray input(int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        INDArray x = Nd4j.zeros(graph.dtype(), n, shape.channels(), shape.height(), shape.width());
        for (long i = 0; i < x.length(); i++) {
            x.putScalar(i, 2 * rng.nextGaussian());
        }
        return x;
    }

    /** Inputs with the block's own per-batch draw. */
    Map<String, INDArray> feed(INDArray x, long seed) {
        Map<String, INDArray> in = new HashMap<>(Map.of("x", x));
        block.feed(in, x.size(0), new SplittableRandom(seed));
        StochasticLayer.precompute(sd, List.of(block), in);
        return in;
    }

    /**
     * Inputs with an independent Hutchinson vector and roulette draw per example; {@code reweight}
     * false gives the deliberately biased estimator (the drawn terms unweighted).
     */
    Map<String, INDArray> feedPerExample(INDArray x, SplittableRandom rng, boolean reweight) {
        SeriesOptions s = block.series();
        long n = x.size(0);
        INDArray weights = Nd4j.zeros(graph.dtype(), n, s.capacity());
        for (int i = 0; i < n; i++) {
            double[] row = s.roulette().weights(s.roulette().sample(rng), s.nExact(), s.capacity());
            for (int k = 0; k < row.length; k++) {
                weights.putScalar(i, k, reweight || row[k] == 0 ? row[k] : 1.0);
            }
        }
        INDArray v = Nd4j.zeros(graph.dtype(), x.shape());
        for (long i = 0; i < v.length(); i++) {
            v.putScalar(i, rng.nextGaussian());
        }
        Map<String, INDArray> in = new HashMap<>(Map.of("x", x, block.hutchinsonName(), v, block.rouletteName(), weights));
        block.feedSigns(in);
        StochasticLayer.precompute(sd, List.of(block), in);
        return in;
    }

    INDArray output(Map<String, INDArray> in, String name) {
        return sd.output(in, name).get(name);
    }

    /** Flattened y for a batch of inputs (the Hutchinson placeholders are not needed for y). */
    INDArray forwardFlat(INDArray batch) {
        INDArray y = output(new HashMap<>(Map.of("x", batch)), "y");
        return y.reshape(y.size(0), y.length() / y.size(0));
    }

    /** log|det dy/dx| at x [1, C, H, W] from a central-difference Jacobian. */
    double exactLogDet(INDArray x) {
        return NumericalJacobian.logAbsDet(this::forwardFlat, x, 1e-5);
    }

    /** Exact log N(y(x); 0, I) + log|det dy/dx| at x [1, C, H, W], the Jacobian from finite differences. */
    double exactLogLikelihood(INDArray x) {
        INDArray y = forwardFlat(x);
        double logPrior = -0.5 * y.mul(y).sumNumber().doubleValue() - 0.5 * shape.size() * Math.log(2 * Math.PI);
        return logPrior + exactLogDet(x);
    }
}
