package io.flowbench.flow.resflow;

import io.flowbench.flow.FlowGraph;
import io.flowbench.samediff.SameDiffOps;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A stride-1 "same" convolution whose weights are scaled to an operator norm of at most c:
 * W_used = W / max(1, sigma / c), where sigma = u . conv(v; W) estimates the largest singular value of
 * the convolution as a linear map on images of the layer's input size (not of the kernel matrix).
 * u (output-shaped) and v (input-shaped) are graph constants, so checkpoints carry them; they are
 * refined eagerly by power iteration with the convolution and its adjoint ({@link #updateSpectralNorm}).
 * As in PyTorch's spectral norm, the gradient flows through sigma with u, v held fixed. A 1x1
 * convolution's operator norm is its matrix's, so it iterates on 1x1 images (vectors).
 */
final class SpectralNormConv {
    /** Power-iteration stopping rule of the reference code: ||delta|| / sqrt(n) < atol + rtol * max. */
    static final double TOLERANCE = 1e-3;
    static final int MAX_ITERATIONS = 200;

    private final FlowGraph g;
    private final String name;
    private final int kernel;
    private final double coefficient;
    private final SDVariable weight;
    private final SDVariable bias;
    private final SDVariable u;
    private final SDVariable v;
    private SDVariable normalised;

    SpectralNormConv(FlowGraph g, String name, int kernel, int in, int out, int height, int width, double coefficient) {
        this.g = g;
        this.name = name;
        this.kernel = kernel;
        this.coefficient = coefficient;
        // PyTorch's default conv initialisation (uniform, bound 1/sqrt(fan_in)) in variance: N(0, 1/(3 fan_in)).
        double std = 1.0 / Math.sqrt(3.0 * kernel * kernel * in);
        this.weight = g.normal(name + "/w", std, kernel, kernel, in, out);
        this.bias = g.normal(name + "/b", std, out);
        int side = kernel == 1 ? 1 : height;
        int across = kernel == 1 ? 1 : width;
        this.u = g.constant(name + "/sn_u", unit(g.gaussian(1, 1, out, side, across)));
        this.v = g.constant(name + "/sn_v", unit(g.gaussian(1, 1, in, side, across)));
        updateSpectralNorm();
    }

    String name() {
        return name;
    }

    int kernel() {
        return kernel;
    }

    SDVariable bias() {
        return bias;
    }

    /** W / max(1, sigma / c), built once and shared by every use of this layer in the graph. */
    SDVariable normalisedWeight() {
        if (normalised == null) {
            SDVariable sigma = u.mul(g.conv2d(v, weight, null, kernel)).sum();
            // max(1, sigma / c) as 1 + max(sigma / c - 1, 0): scalarMax has the well-tested gradient.
            SDVariable factor = g.sd().scalarMax(sigma.div(coefficient).sub(1.0), 0.0).add(1.0);
            normalised = SameDiffOps.divideByScalar(weight, factor);
        }
        return normalised;
    }

    /** This layer's convolution of NHWC data x with the given (normalised) weights and bias (null: none). */
    SDVariable apply(SDVariable x, SDVariable weights, SDVariable bias) {
        return SameDiffOps.conv2dNhwc(g.sd(), x, weights, bias, kernel);
    }

    /**
     * Power iteration v <- A^T u / |.|, u <- A v / |.| from the stored u, v until both move less than the
     * tolerance (at most {@value #MAX_ITERATIONS} rounds); returns the rounds used.
     */
    int updateSpectralNorm() {
        INDArray w = weight.getArr();
        INDArray adjoint = adjointKernel(w);
        INDArray uArr = u.getArr();
        INDArray vArr = v.getArr();
        for (int i = 1; i <= MAX_ITERATIONS; i++) {
            INDArray nextV = unit(convolve(uArr, adjoint));
            INDArray nextU = unit(convolve(nextV, w));
            boolean converged = settled(nextU, uArr) && settled(nextV, vArr);
            vArr.assign(nextV);
            uArr.assign(nextU);
            if (converged) {
                return i;
            }
        }
        return MAX_ITERATIONS;
    }

    /** sigma = u . A v with the stored u, v: the estimate the forward pass divides by. */
    double sigma() {
        return u.getArr().mul(convolve(v.getArr(), weight.getArr())).sumNumber().doubleValue();
    }

    private INDArray convolve(INDArray x, INDArray w) {
        return Nd4j.cnn().conv2d(x, w, SameDiffOps.sameConvolution(kernel));
    }

    /**
     * The kernel of the adjoint map: for a stride-1 convolution with symmetric zero padding (odd
     * kernel), A^T is the convolution with the spatially flipped kernel and in/out channels swapped.
     */
    static INDArray adjointKernel(INDArray w) {
        int k = (int) w.size(0);
        INDArray swapped = w.permute(0, 1, 3, 2);
        INDArray out = Nd4j.create(w.dataType(), k, k, w.size(3), w.size(2));
        for (int y = 0; y < k; y++) {
            for (int x = 0; x < k; x++) {
                out.get(NDArrayIndex.point(y), NDArrayIndex.point(x), NDArrayIndex.all(), NDArrayIndex.all())
                        .assign(swapped.get(NDArrayIndex.point(k - 1 - y), NDArrayIndex.point(k - 1 - x),
                                NDArrayIndex.all(), NDArrayIndex.all()));
            }
        }
        return out;
    }

    private static boolean settled(INDArray next, INDArray previous) {
        double error = next.sub(previous).norm2Number().doubleValue() / Math.sqrt(next.length());
        return error < TOLERANCE + TOLERANCE * next.maxNumber().doubleValue();
    }

    private static INDArray unit(INDArray x) {
        return x.div(Math.max(x.norm2Number().doubleValue(), 1e-12));
    }
}
