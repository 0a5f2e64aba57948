package io.flowbench.flow;

import org.nd4j.autodiff.samediff.SDVariable;

/**
 * A bijection on image tensors [N, C, H, W], written into a SameDiff graph. The forward and the
 * inverse direction are built from the same parameter variables, so one graph holds the training
 * (density) subgraph and the sampling subgraph side by side.
 */
public interface FlowLayer {

    /**
     * @param x         input [N, C, H, W]
     * @param condition one-hot class labels [N, classes], or null for an unconditional flow
     * @return the output and log|det dy/dx| per example
     */
    Transformed forward(SDVariable x, SDVariable condition);

    /** Exact inverse of {@link #forward}; its log-det is that of the inverse map (the negation). */
    Transformed inverse(SDVariable y, SDVariable condition);
}
