package io.flowbench.flow;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * The prior of the last level's latent: learned per-channel mean and bounded log-sd (Glow's
 * "learntop"), or the standard normal; a zero-initialised linear term of the class label makes it
 * class-conditional.
 */
public final class TopPrior implements Prior {
    private final FlowGraph g;
    private final int channels;
    private final SDVariable params;
    private final SDVariable classWeights;
    private final BoundedLogScale logScale;

    public TopPrior(FlowGraph g, String name, int channels, boolean learned, int numClasses) {
        this.g = g;
        this.channels = channels;
        this.params = learned ? g.zeros(name + "/h", 1, 2L * channels, 1, 1) : null;
        this.classWeights = numClasses > 0 ? g.zeros(name + "/class/w", numClasses, 2L * channels) : null;
        this.logScale = params != null || classWeights != null ? new BoundedLogScale(g, name, 1.0, 0.0) : null;
    }

    /** FLOPs per image: the class term of a class-conditional prior. */
    public static void countFlops(Flops flops, int channels, int numClasses) {
        flops.perImage("class linear", 2.0 * numClasses * 2 * channels);
    }

    @Override
    public DiagonalGaussian given(SDVariable condition) {
        SameDiff sd = g.sd();
        if (logScale == null) {
            return DiagonalGaussian.standard(sd);
        }
        SDVariable h = params;
        if (classWeights != null) {
            SDVariable classTerm = sd.reshape(sd.mmul(condition, classWeights), -1, 2L * channels, 1, 1);
            h = h == null ? classTerm : h.add(classTerm);
        }
        SDVariable[] meanRaw = g.channelSlices(h, channels, channels);
        return new DiagonalGaussian(sd, meanRaw[0], logScale.apply(meanRaw[1]));
    }
}
