package io.flowbench.flow;

import org.nd4j.autodiff.samediff.SDVariable;

/**
 * A layer applied to the flattened latent: [N, C, H, W] is laid out as [N, C*H*W, 1, 1] for the inner
 * layer (which sees every dimension as a channel) and back. The reshape moves no value, so its log-det
 * is 0 and each dimension's log-det share moves with it. Residual Flows' fully connected blocks
 * after the last scale are blocks of this kind.
 */
public final class Flattened implements FlowLayer {
    private final LatentShape shape;
    private final FlowLayer inner;

    /** @param inner a layer on [C*H*W, 1, 1] latents */
    public Flattened(LatentShape shape, FlowLayer inner) {
        this.shape = shape;
        this.inner = inner;
    }

    /** The flattened shape the inner layer works on. */
    public static LatentShape flat(LatentShape shape) {
        return new LatentShape(Math.toIntExact(shape.size()), 1, 1);
    }

    private SDVariable flatten(SDVariable x) {
        return x.getSameDiff().reshape(x, -1, shape.size(), 1, 1);
    }

    private SDVariable unflatten(SDVariable x) {
        return x.getSameDiff().reshape(x, shape.batchShape());
    }

    @Override
    public Transformed forward(SDVariable x, SDVariable condition) {
        Transformed t = inner.forward(flatten(x), condition);
        return new Transformed(unflatten(t.value()), t.logDet());
    }

    @Override
    public Traced forwardTraced(SDVariable x, SDVariable shares, SDVariable condition) {
        Traced t = inner.forwardTraced(flatten(x), flatten(shares), condition);
        return new Traced(new Transformed(unflatten(t.out().value()), t.out().logDet()), unflatten(t.shares()));
    }

    @Override
    public Transformed inverse(SDVariable y, SDVariable condition) {
        Transformed t = inner.inverse(flatten(y), condition);
        return new Transformed(unflatten(t.value()), t.logDet());
    }
}
