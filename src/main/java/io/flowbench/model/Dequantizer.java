package io.flowbench.model;

import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Maps 8-bit pixels to the flow's continuous input and back (docs/maths.md): reduce to n bits,
 * scale to [-0.5, 0.5), add uniform noise of one quantisation bin.
 */
public final class Dequantizer {
    private final int nBits;
    private final double bins;

    public Dequantizer(int nBits) {
        if (nBits < 1 || nBits > 8) {
            throw new IllegalArgumentException("n_bits must be in 1..8, got " + nBits);
        }
        this.nBits = nBits;
        this.bins = 1 << nBits;
    }

    public int nBits() {
        return nBits;
    }

    /** Pixels (values 0..255, any shape) to y = floor(x / 2^(8-n)) / 2^n - 0.5 + U(0, 1/2^n). */
    public INDArray dequantize(INDArray pixels, SplittableRandom noise, DataType dtype) {
        double[] x = pixels.dup().data().asDouble();
        int shift = 8 - nBits;
        for (int i = 0; i < x.length; i++) {
            double level = Math.floor(x[i]) / (1 << shift);
            x[i] = (Math.floor(level) + noise.nextDouble()) / bins - 0.5;
        }
        return Nd4j.create(x, pixels.shape(), DataType.DOUBLE).castTo(dtype);
    }

    /** Flow-space values back to 8-bit pixel values (0..255, as floats), clipping out-of-range ones. */
    public INDArray toPixels(INDArray y) {
        double[] v = y.dup().data().asDouble();
        int shift = 8 - nBits;
        for (int i = 0; i < v.length; i++) {
            double bin = Math.max(0, Math.min(bins - 1, Math.floor((v[i] + 0.5) * bins)));
            v[i] = bin * (1 << shift);
        }
        return Nd4j.create(v, y.shape(), DataType.DOUBLE).castTo(DataType.FLOAT);
    }
}
