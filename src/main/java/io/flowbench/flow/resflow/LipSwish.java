package io.flowbench.flow.resflow;

import io.flowbench.flow.FlowGraph;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * Residual Flows' activation: f(z) = z * sigmoid(z * softplus(beta)) / 1.1 with a learned scalar beta
 * (initially 0.5). Its derivative lies in [-0.1, 1.1] / 1.1 for every beta, so it is 1-Lipschitz and
 * spectral normalisation of the convolutions alone bounds the Lipschitz constant of the network.
 */
final class LipSwish {
    static final double BETA_INIT = 0.5;
    private static final double SCALE = 1.1;

    private final SDVariable beta;

    LipSwish(FlowGraph g, String name) {
        this.beta = g.scalar(name + "/beta", BETA_INIT);
    }

    /** softplus(beta): the slope the activation uses (a loop variable of the fixed-point inverse). */
    SDVariable slope(SameDiff sd) {
        return sd.nn().softplus(beta);
    }

    /** f(z) and f'(z) for the given slope: f' = (s + b z s (1 - s)) / 1.1 with s = sigmoid(b z). */
    static Activated apply(SameDiff sd, SDVariable z, SDVariable slope) {
        SDVariable bz = z.mul(slope);
        SDVariable s = sd.nn().sigmoid(bz);
        SDVariable value = z.mul(s).div(SCALE);
        SDVariable derivative = s.add(bz.mul(s).mul(s.rsub(1.0))).div(SCALE);
        return new Activated(value, derivative);
    }

    /** An activation's output and its element-wise derivative at the input. */
    record Activated(SDVariable value, SDVariable derivative) { }
}
