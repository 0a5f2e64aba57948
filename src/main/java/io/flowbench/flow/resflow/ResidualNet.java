package io.flowbench.flow.resflow;

import io.flowbench.flow.FlowGraph;
import io.flowbench.samediff.SameDiffOps;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * The residual branch g of an invertible residual block: [LipSwish ->] conv kxk (C -> hidden) ->
 * LipSwish -> conv1x1 (hidden -> hidden) -> LipSwish -> conv kxk (hidden -> C), k = 3 on images and
 * k = 1 in a fully connected block (C the flattened dimensions, on a 1x1 image), every convolution
 * spectrally normalised to coefficient c < 1, so Lip(g) <= c^3 < 1. Besides g(x) it gives the
 * Jacobian-vector product J v by forward-mode differentiation: the same convolutions (without bias)
 * applied to v, multiplied by each activation's derivative at x. Inputs, outputs and the pre-activation's
 * derivative are NCHW; the convolutions and the other derivatives are NHWC ({@link SameDiffOps#conv2dNhwc}).
 */
final class ResidualNet {
    private final LipSwish preActivation;
    private final LipSwish act1;
    private final LipSwish act2;
    private final SpectralNormConv conv1;
    private final SpectralNormConv conv2;
    private final SpectralNormConv conv3;

    /** @param kernel the outer convolutions' kernel: 3, or 1 for a fully connected block */
    ResidualNet(FlowGraph g, String name, int kernel, int channels, int hidden, int height, int width,
                boolean preActivate, double coefficient) {
        this.preActivation = preActivate ? new LipSwish(g, name + "/act0") : null;
        this.conv1 = new SpectralNormConv(g, name + "/conv1", kernel, channels, hidden, height, width, coefficient);
        this.act1 = new LipSwish(g, name + "/act1");
        this.conv2 = new SpectralNormConv(g, name + "/conv2", 1, hidden, hidden, height, width, coefficient);
        this.act2 = new LipSwish(g, name + "/act2");
        this.conv3 = new SpectralNormConv(g, name + "/conv3", kernel, hidden, channels, height, width, coefficient);
    }

    List<SpectralNormConv> convolutions() {
        return List.of(conv1, conv2, conv3);
    }

    /** The tensors g is computed from: activation slopes, normalised weights and biases. */
    Weights weights(SameDiff sd) {
        return new Weights(preActivation == null ? null : preActivation.slope(sd),
                conv1.normalisedWeight(), conv1.bias(), act1.slope(sd),
                conv2.normalisedWeight(), conv2.bias(), act2.slope(sd),
                conv3.normalisedWeight(), conv3.bias());
    }

    /** g(x) with the given weights, and the activations' derivatives that J v needs. */
    Pass apply(SameDiff sd, SDVariable x, Weights w) {
        SDVariable d0 = null;
        SDVariable h = x;
        if (w.preSlope() != null) {
            LipSwish.Activated a = LipSwish.apply(sd, x, w.preSlope());
            h = a.value();
            d0 = a.derivative();
        }
        LipSwish.Activated a1 = LipSwish.apply(sd, conv1.apply(SameDiffOps.toNhwc(sd, h), w.w1(), w.b1()), w.slope1());
        LipSwish.Activated a2 = LipSwish.apply(sd, conv2.apply(a1.value(), w.w2(), w.b2()), w.slope2());
        return new Pass(SameDiffOps.toNchw(sd, conv3.apply(a2.value(), w.w3(), w.b3())), d0, a1.derivative(), a2.derivative());
    }

    /** J v at the point of {@code pass}: the convolutions without bias, each followed by its activation's derivative. */
    SDVariable jacobianTimes(Pass pass, Weights w, SDVariable v) {
        SDVariable h = pass.d0() == null ? v : v.mul(pass.d0());
        SameDiff sd = h.getSameDiff();
        h = conv1.apply(SameDiffOps.toNhwc(sd, h), w.w1(), null).mul(pass.d1());
        h = conv2.apply(h, w.w2(), null).mul(pass.d2());
        return SameDiffOps.toNchw(sd, conv3.apply(h, w.w3(), null));
    }

    /** Output of g and the element-wise derivatives of its activations (d0 null without pre-activation). */
    record Pass(SDVariable output, SDVariable d0, SDVariable d1, SDVariable d2) { }

    /** What g is computed from, in a fixed order so that a loop can carry it. */
    record Weights(SDVariable preSlope, SDVariable w1, SDVariable b1, SDVariable slope1,
                   SDVariable w2, SDVariable b2, SDVariable slope2, SDVariable w3, SDVariable b3) {

        List<SDVariable> tensors() {
            List<SDVariable> all = new ArrayList<>();
            if (preSlope != null) {
                all.add(preSlope);
            }
            all.addAll(List.of(w1, b1, slope1, w2, b2, slope2, w3, b3));
            return all;
        }

        /** The inverse of {@link #tensors} (from {@code offset} in {@code values}). */
        Weights from(SDVariable[] values, int offset) {
            int i = offset;
            SDVariable pre = preSlope == null ? null : values[i++];
            return new Weights(pre, values[i], values[i + 1], values[i + 2], values[i + 3], values[i + 4],
                    values[i + 5], values[i + 6], values[i + 7]);
        }
    }
}
