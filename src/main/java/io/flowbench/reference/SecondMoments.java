package io.flowbench.reference;

import io.flowbench.data.ImageDataset;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Exact first and second moments of the dequantized images y = floor(x / 2^(8-n)) / 2^n - 0.5 + u of a split,
 * u ~ U(0, 2^-n) independent per dimension: computed in closed form from the pixels (no noise is drawn), so
 * the figures built on them are exact functions of the split's content.
 *
 * @param mean       E[y], [D]
 * @param covariance Cov(y), [D, D]
 * @param count      examples averaged over
 */
public record SecondMoments(INDArray mean, INDArray covariance, long count) {
    private static final int CHUNK = 2048;

    public static SecondMoments of(ImageDataset split, int nBits) {
        if (nBits < 1 || nBits > 8) {
            throw new IllegalArgumentException("n_bits must be in 1..8, got " + nBits);
        }
        int n = split.size();
        int d = split.exampleLength();
        if (n < 2) {
            throw new IllegalArgumentException(split.dataset() + "/" + split.split() + " has " + n
                    + " examples; moments need at least 2");
        }
        int shift = 8 - nBits;
        double bins = 1 << nBits;
        INDArray sum = Nd4j.zeros(DataType.DOUBLE, d);
        INDArray products = Nd4j.zeros(DataType.DOUBLE, d, d);
        byte[] example = new byte[d];
        for (int from = 0; from < n; from += CHUNK) {
            int rows = Math.min(CHUNK, n - from);
            double[] q = new double[rows * d];
            for (int r = 0; r < rows; r++) {
                split.copyExample(from + r, example, 0);
                for (int j = 0; j < d; j++) {
                    // The bin's lower edge in [-0.5, 0.5): the noise-free part of y.
                    q[r * d + j] = ((example[j] & 0xff) >> shift) / bins - 0.5;
                }
            }
            INDArray chunk = Nd4j.create(q, new long[] {rows, d}, DataType.DOUBLE);
            sum.addi(chunk.sum(0));
            products.addi(chunk.transpose().mmul(chunk));
        }
        INDArray meanQ = sum.div(n);
        // Cov(q) with the n - 1 denominator would not be the maximum-likelihood fit the figures stand for.
        INDArray covariance = products.div(n).subi(outer(meanQ, meanQ));
        double noiseVariance = 1.0 / (12.0 * bins * bins);
        for (int j = 0; j < d; j++) {
            covariance.putScalar(j, j, covariance.getDouble(j, j) + noiseVariance);
        }
        INDArray mean = meanQ.add(0.5 / bins);
        return new SecondMoments(mean, covariance, n);
    }

    public int dimensions() {
        return (int) mean.length();
    }

    /** E[y y^T] = Cov(y) + E[y] E[y]^T: the auto-correlation matrix. */
    public INDArray autoCorrelation() {
        return covariance.add(outer(mean, mean));
    }

    static INDArray outer(INDArray a, INDArray b) {
        return a.reshape(a.length(), 1).mmul(b.reshape(1, b.length()));
    }
}
