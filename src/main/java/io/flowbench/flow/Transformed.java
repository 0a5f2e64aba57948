package io.flowbench.flow;

import org.nd4j.autodiff.samediff.SDVariable;

/**
 * A layer's output and its log|det J| contribution: shape [N], or a scalar when the contribution does
 * not depend on the example (ActNorm, 1x1 conv); null for volume-preserving maps (squeeze).
 */
public record Transformed(SDVariable value, SDVariable logDet) {

    /** Sum of two log-det contributions, either of which may be null (zero). */
    public static SDVariable addLogDets(SDVariable a, SDVariable b) {
        if (a == null) {
            return b;
        }
        return b == null ? a : a.add(b);
    }
}
