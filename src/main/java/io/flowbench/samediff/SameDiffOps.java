package io.flowbench.samediff;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.enums.WeightsFormat;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;

/**
 * Graph ops written the way SameDiff 1.0.0-M2.1 runs them correctly and fast; each method says which
 * op of that version it avoids and why, so an ND4J upgrade can retest and drop them here.
 */
public final class SameDiffOps {
    private SameDiffOps() {
    }

    /**
     * ReLU as max(x, 0): the same values and gradient as {@code sd.nn().relu(x, 0)}, but its backward
     * pass is three fast element-wise ops (x > 0, cast, multiply) where relu's, libnd4j's
     * thresholdedrelu_bp, takes 4-16 ms on a 64x128x14x14 tensor: a quarter of a training step.
     */
    public static SDVariable relu(SameDiff sd, SDVariable x) {
        return sd.scalarMax(x, 0.0);
    }

    /**
     * Stride-1 "same" convolution in NCHW with weights [k, k, in, out] (YXIO: conv2d_bp of
     * 1.0.0-M2.1 rejects the other weight layouts); bias [out] or null.
     */
    public static SDVariable conv2d(SameDiff sd, SDVariable x, SDVariable weights, SDVariable bias, int kernel) {
        return conv2d(sd, x, weights, bias, sameConvolution(kernel));
    }

    /**
     * {@link #conv2d} on NHWC data [N, H, W, C]. oneDNN 2.3 inside 1.0.0-M2.1 computes forward convolutions
     * in NHWC: on NCHW data each call converts its input and output maps, 1-1.3 ms per 64x128x14x14 map,
     * 37% of oneDNN's time in a Glow training step (DNNL_VERBOSE).
     */
    public static SDVariable conv2dNhwc(SameDiff sd, SDVariable x, SDVariable weights, SDVariable bias, int kernel) {
        return conv2d(sd, x, weights, bias, sameConvolution(kernel, "NHWC"));
    }

    /**
     * [N, C, H, W] to [N, H, W, C]: networks permute their thin input maps (the image's few channels) to run
     * {@link #conv2dNhwc} on their wide hidden maps, and permute their thin output back ({@link #toNchw}).
     */
    public static SDVariable toNhwc(SameDiff sd, SDVariable x) {
        return sd.permute(x, 0, 2, 3, 1);
    }

    /** [N, H, W, C] to [N, C, H, W]. */
    public static SDVariable toNchw(SameDiff sd, SDVariable x) {
        return sd.permute(x, 0, 3, 1, 2);
    }

    private static SDVariable conv2d(SameDiff sd, SDVariable x, SDVariable weights, SDVariable bias, Conv2DConfig config) {
        return bias == null ? sd.cnn().conv2d(x, weights, config) : sd.cnn().conv2d(x, weights, bias, config);
    }

    /** The configuration of {@link #conv2d}, also for eager convolutions on arrays ({@code Nd4j.cnn()}). */
    public static Conv2DConfig sameConvolution(int kernel) {
        return sameConvolution(kernel, "NCHW");
    }

    public static Conv2DConfig sameConvolution(int kernel, String dataFormat) {
        return Conv2DConfig.builder()
                .kH(kernel).kW(kernel).sH(1).sW(1).dH(1).dW(1)
                .paddingMode(PaddingMode.SAME)
                .dataFormat(dataFormat)
                .weightsFormat(WeightsFormat.YXIO)
                .build();
    }

    /**
     * x / s for a scalar variable s, written as x * (1 / s): 1.0.0-M2.1's gradient of
     * {@code x.div(s)} with respect to x is wrong when s is a scalar variable (found by the Residual
     * Flows gradient test; the product's gradient is right).
     */
    public static SDVariable divideByScalar(SDVariable x, SDVariable s) {
        return x.mul(s.rdiv(1.0));
    }

    /**
     * Cuts x [N, C, H, W] along the channels into parts of the given sizes (which add up to C), as
     * slices: libnd4j 1.0.0-M2.1's split op walks NCHW tensors element by element (12-18x slower than
     * two slices, 34 ms against 2 ms on 64x256x14x14), and a slice's backward pass is still cheaper
     * than split's forward.
     */
    public static SDVariable[] channelSlices(SameDiff sd, SDVariable x, int... sizes) {
        SDVariable[] parts = new SDVariable[sizes.length];
        int offset = 0;
        for (int k = 0; k < sizes.length; k++) {
            parts[k] = sd.slice(x, new int[] {0, offset, 0, 0}, -1, sizes[k], -1, -1);
            offset += sizes[k];
        }
        return parts;
    }
}
