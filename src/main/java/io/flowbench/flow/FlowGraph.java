package io.flowbench.flow;

import io.flowbench.samediff.SameDiffOps;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The SameDiff graph a flow is written into: its floating-point type (float for training, double
 * for numerical checks), seeded parameter initialisers, and the layers that need data-dependent
 * initialisation. Layers create their parameters once, on construction, and use them in both
 * directions.
 */
public final class FlowGraph {
    /** Glow's and DLF's initialiser for hidden convolutions: N(0, 0.05^2). */
    public static final double HIDDEN_INIT_STD = 0.05;

    private final SameDiff sd;
    private final DataType dtype;
    private final SplittableRandom init;
    private final List<DataDependentInit> dataDependentInits = new ArrayList<>();
    private final List<SDVariable> l2Weights = new ArrayList<>();
    private final List<StochasticLayer> stochasticLayers = new ArrayList<>();

    public FlowGraph(SameDiff sd, DataType dtype, long initSeed) {
        if (!dtype.isFPType()) {
            throw new IllegalArgumentException("a flow needs a floating-point type, not " + dtype);
        }
        this.sd = sd;
        this.dtype = dtype;
        this.init = new SplittableRandom(initSeed);
    }

    public SameDiff sd() {
        return sd;
    }

    public DataType dtype() {
        return dtype;
    }

    /** A trainable parameter with the given initial value (cast to the graph's type). */
    public SDVariable param(String name, INDArray value) {
        return sd.var(name, value.castTo(dtype));
    }

    public SDVariable zeros(String name, long... shape) {
        return param(name, Nd4j.zeros(dtype, shape));
    }

    public SDVariable scalar(String name, double value) {
        return param(name, Nd4j.scalar(dtype, value));
    }

    /** A parameter drawn from N(0, std^2) with this graph's seeded generator. */
    public SDVariable normal(String name, double std, long... shape) {
        return param(name, gaussian(std, shape));
    }

    /** A fixed tensor (not trained). */
    public SDVariable constant(String name, INDArray value) {
        return sd.constant(name, value.castTo(dtype));
    }

    /** Draws a tensor from N(0, std^2) with this graph's seeded generator (for initialisers). */
    public INDArray gaussian(double std, long... shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        double[] values = new double[Math.toIntExact(n)];
        for (int i = 0; i < values.length; i++) {
            values[i] = std * init.nextGaussian();
        }
        return Nd4j.create(values, shape, DataType.DOUBLE);
    }

    /** Stride-1 "same" convolution in NCHW with weights [k, k, in, out]; bias [out] or null. */
    public SDVariable conv2d(SDVariable x, SDVariable weights, SDVariable bias, int kernel) {
        return SameDiffOps.conv2d(sd, x, weights, bias, kernel);
    }

    /**
     * Zeros of shape [N], N the batch size of x: the log-det of a volume-preserving layer. Built from
     * x's shape (an integer op, so backpropagation never reaches x through it).
     */
    public SDVariable zeroLogDet(SDVariable x) {
        SDVariable batch = sd.stridedSlice(sd.shape(x), new long[] {0}, new long[] {1}, new long[] {1});
        return sd.fill(batch, dtype, 0.0);
    }

    /** A log-det that is the same for every example (a scalar) as one value per example of x, [N]. */
    public SDVariable perExample(SDVariable x, SDVariable logDet) {
        return zeroLogDet(x).add(logDet);
    }

    /** Marks a weight matrix for the optional L2 penalty (the 1x1 convolutions' W). */
    void registerL2Weight(SDVariable weight) {
        l2Weights.add(weight);
    }

    /** Weights subject to the optional L2 penalty, in creation order. */
    public List<SDVariable> l2Weights() {
        return List.copyOf(l2Weights);
    }

    /** Called by a layer with a stochastic log-det on construction, so that the graph's owner can feed it. */
    public void registerStochastic(StochasticLayer layer) {
        stochasticLayers.add(layer);
    }

    /** Layers whose log-det is a random estimate, in creation (forward) order. */
    public List<StochasticLayer> stochasticLayers() {
        return List.copyOf(stochasticLayers);
    }

    /** Cuts x [N, C, H, W] along the channels into parts of the given sizes (which add up to C). */
    public SDVariable[] channelSlices(SDVariable x, int... sizes) {
        return SameDiffOps.channelSlices(sd, x, sizes);
    }

    /** Two equal channel halves of x, which has {@code channels} channels. */
    public SDVariable[] channelHalves(SDVariable x, int channels) {
        return channelSlices(x, channels / 2, channels / 2);
    }

    void registerDataDependentInit(DataDependentInit layer) {
        dataDependentInits.add(layer);
    }

    /** Layers to initialise from data, in forward order. */
    public List<DataDependentInit> dataDependentInits() {
        return List.copyOf(dataDependentInits);
    }
}
