package io.flowbench.flow;

import org.apache.commons.math3.linear.LUDecomposition;
import org.apache.commons.math3.linear.MatrixUtils;
import org.apache.commons.math3.linear.QRDecomposition;
import org.apache.commons.math3.linear.RealMatrix;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Glow's invertible 1x1 convolution in LU form: W = P L (U + diag(sign * exp(logs))) with P a fixed
 * permutation, L unit lower-triangular and U strictly upper-triangular, so log|det W| = sum(logs)
 * needs no determinant op (SameDiff has no gradient for those). Initialised at a random rotation.
 */
public final class InvertibleConv1x1 implements FlowLayer {
    private final FlowGraph g;
    private final SameDiff sd;
    private final int channels;
    private final SDVariable logS;
    private final SDVariable weight;
    private final SDVariable bias;
    private final long pixels;

    public InvertibleConv1x1(FlowGraph g, String name, LatentShape shape, boolean withBias) {
        this.g = g;
        this.sd = g.sd();
        this.channels = shape.channels();
        this.pixels = (long) shape.height() * shape.width();

        RealMatrix rotation = new QRDecomposition(MatrixUtils.createRealMatrix(
                g.gaussian(1.0, channels, channels).toDoubleMatrix())).getQ();
        LUDecomposition lu = new LUDecomposition(rotation);   // P * rotation = L * U
        RealMatrix upper = lu.getU();
        double[] sign = new double[channels];
        double[] logAbsDiag = new double[channels];
        for (int i = 0; i < channels; i++) {
            sign[i] = Math.signum(upper.getEntry(i, i));
            logAbsDiag[i] = Math.log(Math.abs(upper.getEntry(i, i)));
        }
        INDArray eye = Nd4j.eye(channels).castTo(DataType.DOUBLE);
        INDArray strictLowerMask = Nd4j.ones(DataType.DOUBLE, channels, channels);
        for (int i = 0; i < channels; i++) {
            for (int j = i; j < channels; j++) {
                strictLowerMask.putScalar(i, j, 0.0);
            }
        }
        INDArray strictUpperMask = strictLowerMask.transpose().dup();

        SDVariable lower = g.param(name + "/lower", Nd4j.create(lu.getL().getData()).mul(strictLowerMask));
        SDVariable upperVar = g.param(name + "/upper", Nd4j.create(upper.getData()).mul(strictUpperMask));
        this.logS = g.param(name + "/logs", Nd4j.create(logAbsDiag));
        SDVariable permutation = g.constant(name + "/perm", Nd4j.create(lu.getP().transpose().getData()));
        SDVariable signS = g.constant(name + "/sign", Nd4j.create(sign));
        SDVariable eyeC = g.constant(name + "/eye", eye);

        SDVariable l = lower.mul(g.constant(name + "/lmask", strictLowerMask)).add(eyeC);
        SDVariable u = upperVar.mul(g.constant(name + "/umask", strictUpperMask))
                .add(eyeC.mul(signS.mul(sd.math().exp(logS))));
        this.weight = sd.mmul(permutation, sd.mmul(l, u));
        g.registerL2Weight(weight);
        this.bias = withBias ? g.zeros(name + "/bias", channels) : null;
    }

    @Override
    public Transformed forward(SDVariable x, SDVariable condition) {
        SDVariable kernel = asKernel(weight);
        SDVariable y = g.conv2d(x, kernel, null, 1);
        if (bias != null) {
            y = y.add(sd.reshape(bias, 1, channels, 1, 1));
        }
        return new Transformed(y, g.perExample(x, logS.sum().mul(pixels)));
    }

    /**
     * W mixes the channels at each pixel, so what the pixel's dimensions carried in is pooled and
     * spread equally over its channels, and so is the pixel's log|det W| = sum(logs).
     */
    @Override
    public Traced forwardTraced(SDVariable x, SDVariable shares, SDVariable condition) {
        Transformed out = forward(x, condition);
        SDVariable perPixel = shares.mean(true, 1).add(logS.sum().div(channels));
        return new Traced(out, Traced.broadcast(perPixel, out.value()));
    }

    @Override
    public Transformed inverse(SDVariable y, SDVariable condition) {
        if (bias != null) {
            y = y.sub(sd.reshape(bias, 1, channels, 1, 1));
        }
        SDVariable kernel = asKernel(sd.linalg().matrixInverse(weight));
        return new Transformed(g.conv2d(y, kernel, null, 1), g.perExample(y, logS.sum().mul(-pixels)));
    }

    /**
     * FLOPs of the layer on [C, H, W]: the 1x1 convolution per image; per batch, composing W = P (L U)
     * from its factors (two C x C products).
     */
    public static void countFlops(Flops flops, LatentShape shape) {
        double c = shape.channels();
        flops.perImage("invconv 1x1", 2.0 * c * c * shape.pixels());
        flops.perBatch(2 * 2.0 * c * c * c);
    }

    /** A [out, in] matrix as a 1x1 kernel in the YXIO layout [1, 1, in, out]. */
    private SDVariable asKernel(SDVariable matrix) {
        return sd.reshape(sd.transpose(matrix), 1, 1, channels, channels);
    }
}
