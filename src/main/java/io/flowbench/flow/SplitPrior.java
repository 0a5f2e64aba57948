package io.flowbench.flow;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * The learned conditional prior of a multi-scale split: z2 ~ N(mean(z1), sd(z1)^2), mean and raw
 * log-sd from a zero-initialised 3x3 conv of z1, log-sd bounded as tanh(raw) * rescale + shift.
 */
public final class SplitPrior implements Prior {
    private final FlowGraph g;
    private final SDVariable weights;
    private final SDVariable bias;
    private final BoundedLogScale logScale;
    private final int factoredChannels;

    /** @param keptChannels channels of z1 (which go on); @param factoredChannels channels of z2 */
    public SplitPrior(FlowGraph g, String name, int keptChannels, int factoredChannels) {
        this.g = g;
        this.factoredChannels = factoredChannels;
        this.weights = g.zeros(name + "/conv/w", 3, 3, keptChannels, 2L * factoredChannels);
        this.bias = g.zeros(name + "/conv/b", 2L * factoredChannels);
        this.logScale = new BoundedLogScale(g, name, 1.0, 0.0);
    }

    /** FLOPs per image of the prior's conv on a map of the given size. */
    public static void countFlops(Flops flops, int keptChannels, int factoredChannels, LatentShape shape) {
        flops.perImage("prior conv3x3", Flops.conv(3, keptChannels, 2 * factoredChannels, shape));
    }

    @Override
    public DiagonalGaussian given(SDVariable kept) {
        SameDiff sd = g.sd();
        SDVariable[] meanRaw = g.channelSlices(g.conv2d(kept, weights, bias, 3), factoredChannels, factoredChannels);
        return new DiagonalGaussian(sd, meanRaw[0], logScale.apply(meanRaw[1]));
    }
}
