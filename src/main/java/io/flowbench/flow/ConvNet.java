package io.flowbench.flow;

import io.flowbench.samediff.SameDiffOps;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * The network inside a Glow coupling or a DLF dynamic linear transformation:
 * conv3x3 -> ReLU -> conv1x1 -> ReLU -> zero-initialised conv3x3, plus a zero-initialised linear
 * term of the class label when the flow is class-conditional. Zero output at initialisation makes
 * every step start as (close to) the identity.
 */
public final class ConvNet implements Conditioner.Network {
    private final FlowGraph g;
    private final int outChannels;
    private final SDVariable w1;
    private final SDVariable b1;
    private final SDVariable w2;
    private final SDVariable b2;
    private final SDVariable w3;
    private final SDVariable b3;
    private final SDVariable classWeights;

    private ConvNet(FlowGraph g, String name, int inChannels, int hidden, int outChannels, int numClasses) {
        this.g = g;
        this.outChannels = outChannels;
        this.w1 = g.normal(name + "/conv1/w", FlowGraph.HIDDEN_INIT_STD, 3, 3, inChannels, hidden);
        this.b1 = g.zeros(name + "/conv1/b", hidden);
        this.w2 = g.normal(name + "/conv2/w", FlowGraph.HIDDEN_INIT_STD, 1, 1, hidden, hidden);
        this.b2 = g.zeros(name + "/conv2/b", hidden);
        this.w3 = g.zeros(name + "/conv3/w", 3, 3, hidden, outChannels);
        this.b3 = g.zeros(name + "/conv3/b", outChannels);
        this.classWeights = numClasses > 0 ? g.zeros(name + "/class/w", numClasses, outChannels) : null;
    }

    /** These networks with {@code hidden} channels inside; class-conditional when {@code numClasses > 0}. */
    public static Conditioner conditioner(int hidden, int numClasses) {
        return new Conditioner() {
            @Override
            public Conditioner.Network create(FlowGraph g, String name, int inChannels, int outChannels) {
                return new ConvNet(g, name, inChannels, hidden, outChannels, numClasses);
            }

            @Override
            public void countFlops(Flops flops, int inChannels, int outChannels, LatentShape shape) {
                flops.perImage("net conv3x3 in", Flops.conv(3, inChannels, hidden, shape));
                flops.perImage("net conv1x1", Flops.conv(1, hidden, hidden, shape));
                flops.perImage("net conv3x3 out", Flops.conv(3, hidden, outChannels, shape));
                flops.perImage("class linear", 2.0 * numClasses * outChannels);
            }
        };
    }

    /**
     * Runs in NHWC ({@link SameDiffOps#conv2dNhwc}) between two permutations of the thin input and output
     * maps (a few channels), so the wide hidden maps are never reordered between convolutions.
     */
    @Override
    public SDVariable apply(SDVariable x, SDVariable condition) {
        SameDiff sd = g.sd();
        SDVariable h = SameDiffOps.relu(sd, SameDiffOps.conv2dNhwc(sd, SameDiffOps.toNhwc(sd, x), w1, b1, 3));
        h = SameDiffOps.relu(sd, SameDiffOps.conv2dNhwc(sd, h, w2, b2, 1));
        h = SameDiffOps.toNchw(sd, SameDiffOps.conv2dNhwc(sd, h, w3, b3, 3));
        if (classWeights != null) {
            h = h.add(sd.reshape(sd.mmul(condition, classWeights), -1, outChannels, 1, 1));
        }
        return h;
    }
}
