package io.flowbench.flow;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Glow's activation normalisation: per-channel y = (x + b) * exp(s), log-det = H*W*sum(s).
 * Initialised from the first batch so that its output has zero mean and unit variance per channel.
 */
public final class ActNorm implements FlowLayer, DataDependentInit {
    private static final double STD_EPS = 1e-6;

    private final FlowGraph g;
    private final SameDiff sd;
    private final SDVariable bias;
    private final SDVariable logScale;
    private final long pixels;
    private String forwardInput;

    public ActNorm(FlowGraph g, String name, LatentShape shape) {
        this.g = g;
        this.sd = g.sd();
        this.bias = g.zeros(name + "/bias", 1, shape.channels(), 1, 1);
        this.logScale = g.zeros(name + "/logs", 1, shape.channels(), 1, 1);
        this.pixels = (long) shape.height() * shape.width();
        g.registerDataDependentInit(this);
    }

    @Override
    public Transformed forward(SDVariable x, SDVariable condition) {
        forwardInput = x.name();
        SDVariable y = x.add(bias).mul(sd.math().exp(logScale));
        return new Transformed(y, g.perExample(x, logScale.sum().mul(pixels)));
    }

    /** Each dimension's share is its channel's log-scale. */
    @Override
    public Traced forwardTraced(SDVariable x, SDVariable shares, SDVariable condition) {
        return new Traced(forward(x, condition), shares.add(logScale));
    }

    @Override
    public Transformed inverse(SDVariable y, SDVariable condition) {
        SDVariable x = y.mul(sd.math().exp(logScale.neg())).sub(bias);
        return new Transformed(x, g.perExample(y, logScale.sum().mul(-pixels)));
    }

    @Override
    public String inputVariable() {
        if (forwardInput == null) {
            throw new IllegalStateException("ActNorm " + bias.name() + " has no forward input yet");
        }
        return forwardInput;
    }

    @Override
    public void initialiseFrom(INDArray input) {
        INDArray mean = input.mean(0, 2, 3);
        INDArray std = input.std(false, 0, 2, 3);
        long c = mean.length();
        bias.getArr().assign(mean.neg().reshape(1, c, 1, 1));
        logScale.getArr().assign(Transforms.log(std.add(STD_EPS)).neg().reshape(1, c, 1, 1));
    }
}
