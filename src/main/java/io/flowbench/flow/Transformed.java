package io.flowbench.flow;

import java.util.Objects;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * A layer's output and its log|det J| contribution, always one value per example: shape [N]. Layers
 * whose log-det does not depend on the example broadcast it with {@link FlowGraph#perExample};
 * volume-preserving ones return {@link FlowGraph#zeroLogDet}.
 */
public record Transformed(SDVariable value, SDVariable logDet) {

    public Transformed {
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(logDet, "logDet: a volume-preserving layer returns FlowGraph.zeroLogDet(x)");
    }
}
