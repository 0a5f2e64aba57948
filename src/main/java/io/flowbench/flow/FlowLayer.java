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

    /**
     * {@link #forward}, and the log-determinant so far split over the output's dimensions: given
     * {@code shares} [N, C, H, W], what everything upstream contributed to each dimension of x (summing
     * per example to the upstream log-det), returns them carried to where this layer puts each
     * dimension, plus this layer's own log-det split over its output dimensions. So the result sums,
     * per example, to the upstream log-det plus this layer's (exactly, up to rounding). Used by the
     * likelihood-contribution factor-out policy (docs/factor-out.md).
     *
     * <p>The default suits a layer whose output dimension d is, mostly, its input dimension d (a
     * residual block y = x + g(x)): the upstream shares stay in place and the layer's log-det is
     * spread equally. Element-wise layers override it with their per-element log-scales; layers that
     * move or mix dimensions (squeeze, masks, 1x1 convolutions) carry the shares accordingly.
     */
    default Traced forwardTraced(SDVariable x, SDVariable shares, SDVariable condition) {
        Transformed out = forward(x, condition);
        return new Traced(out, shares.add(Traced.spreadEqually(out.logDet(), out.value())));
    }
}
