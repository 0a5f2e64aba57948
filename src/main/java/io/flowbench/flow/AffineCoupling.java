package io.flowbench.flow;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * Glow's coupling: x = [xa, xb]; (t, r) = NN(xa); yb = (xb + t) * sigmoid(r + 2), ya = xa;
 * log-det = sum(log sigmoid(r + 2)). The additive variant uses scale 1 and is volume-preserving.
 */
public final class AffineCoupling implements FlowLayer {
    /** Offset that makes the initial scale sigmoid(2) ~ 0.88, as in Glow. */
    private static final double SCALE_OFFSET = 2.0;

    private final FlowGraph g;
    private final SameDiff sd;
    private final ConvNet net;
    private final int channels;
    private final boolean additive;

    public AffineCoupling(FlowGraph g, String name, int channels, int hidden, boolean additive, int numClasses) {
        if (channels % 2 != 0) {
            throw new IllegalArgumentException("coupling needs an even channel count, got " + channels);
        }
        this.g = g;
        this.sd = g.sd();
        this.channels = channels;
        this.additive = additive;
        int half = channels / 2;
        this.net = new ConvNet(g, name + "/nn", half, hidden, additive ? half : 2 * half, numClasses);
    }

    @Override
    public Transformed forward(SDVariable x, SDVariable condition) {
        SDVariable[] ab = g.channelHalves(x, channels);
        SDVariable h = net.apply(ab[0], condition);
        if (additive) {
            return new Transformed(sd.concat(1, ab[0], ab[1].add(h)), null);
        }
        SDVariable[] tr = g.channelHalves(h, channels);
        SDVariable preScale = tr[1].add(SCALE_OFFSET);
        SDVariable yb = ab[1].add(tr[0]).mul(sd.nn().sigmoid(preScale));
        return new Transformed(sd.concat(1, ab[0], yb), sd.nn().logSigmoid(preScale).sum(1, 2, 3));
    }

    @Override
    public Transformed inverse(SDVariable y, SDVariable condition) {
        SDVariable[] ab = g.channelHalves(y, channels);
        SDVariable h = net.apply(ab[0], condition);
        if (additive) {
            return new Transformed(sd.concat(1, ab[0], ab[1].sub(h)), null);
        }
        SDVariable[] tr = g.channelHalves(h, channels);
        SDVariable preScale = tr[1].add(SCALE_OFFSET);
        SDVariable xb = ab[1].div(sd.nn().sigmoid(preScale)).sub(tr[0]);
        return new Transformed(sd.concat(1, ab[0], xb), sd.nn().logSigmoid(preScale).sum(1, 2, 3).neg());
    }
}
