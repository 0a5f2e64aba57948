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
    private final Conditioner.Network net;
    private final int channels;
    private final boolean additive;

    /** @param conditioner the network computing (t, r) from the first half */
    public AffineCoupling(FlowGraph g, String name, int channels, boolean additive, Conditioner conditioner) {
        checkChannels(channels);
        this.g = g;
        this.sd = g.sd();
        this.channels = channels;
        this.additive = additive;
        this.net = conditioner.create(g, name + "/nn", channels / 2, netOutput(channels, additive));
    }

    /** Fails with the reason when a coupling cannot act on this many channels. */
    public static void checkChannels(int channels) {
        if (channels % 2 != 0) {
            throw new IllegalArgumentException("coupling needs an even channel count, got " + channels);
        }
    }

    /** FLOPs of a coupling on [C, H, W]: its network, from C/2 to C channels (C/2 when additive). */
    public static void countFlops(Flops flops, LatentShape shape, boolean additive, Conditioner conditioner) {
        conditioner.countFlops(flops, shape.channels() / 2, netOutput(shape.channels(), additive), shape);
    }

    /** The network outputs t (additive) or t and r (affine), each C/2 channels. */
    private static int netOutput(int channels, boolean additive) {
        return additive ? channels / 2 : channels;
    }

    @Override
    public Transformed forward(SDVariable x, SDVariable condition) {
        return couple(x, condition).out();
    }

    /** The first half's shares pass through; the second half's each get their element's log-scale. */
    @Override
    public Traced forwardTraced(SDVariable x, SDVariable shares, SDVariable condition) {
        Coupled c = couple(x, condition);
        SDVariable own = c.logScales() == null ? sd.zerosLike(shares)
                : sd.concat(1, sd.zerosLike(c.kept()), c.logScales());
        return new Traced(c.out(), shares.add(own));
    }

    /** The forward direction and the second half's element-wise log-scales (null when additive). */
    private record Coupled(Transformed out, SDVariable kept, SDVariable logScales) { }

    private Coupled couple(SDVariable x, SDVariable condition) {
        SDVariable[] ab = g.channelHalves(x, channels);
        SDVariable h = net.apply(ab[0], condition);
        if (additive) {
            return new Coupled(new Transformed(sd.concat(1, ab[0], ab[1].add(h)), g.zeroLogDet(x)), ab[0], null);
        }
        SDVariable[] tr = g.channelHalves(h, channels);
        SDVariable preScale = tr[1].add(SCALE_OFFSET);
        SDVariable yb = ab[1].add(tr[0]).mul(sd.nn().sigmoid(preScale));
        SDVariable y = sd.concat(1, ab[0], yb);
        SDVariable logScales = sd.nn().logSigmoid(preScale);
        return new Coupled(new Transformed(y, logScales.sum(1, 2, 3)), ab[0], logScales);
    }

    @Override
    public Transformed inverse(SDVariable y, SDVariable condition) {
        SDVariable[] ab = g.channelHalves(y, channels);
        SDVariable h = net.apply(ab[0], condition);
        if (additive) {
            return new Transformed(sd.concat(1, ab[0], ab[1].sub(h)), g.zeroLogDet(y));
        }
        SDVariable[] tr = g.channelHalves(h, channels);
        SDVariable preScale = tr[1].add(SCALE_OFFSET);
        SDVariable xb = ab[1].div(sd.nn().sigmoid(preScale)).sub(tr[0]);
        return new Transformed(sd.concat(1, ab[0], xb), sd.nn().logSigmoid(preScale).sum(1, 2, 3).neg());
    }
}
