package io.flowbench.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowbench.Integration;
import io.flowbench.data.DataOptions;
import io.flowbench.data.DatasetRegistry;
import io.flowbench.data.DatasetSplits;
import io.flowbench.data.ImageDataset;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

class LikelihoodReferenceTest {
    private static final int D = 8;

    /** Pixels of a correlated Gaussian: y = mean + L e, quantised to 8 bits, with known covariance L L^T. */
    private static ImageDataset gaussianImages(String split, int n, double[][] chol, double[] mean, long seed) {
        ImageDataset.Builder b = ImageDataset.builder("gauss", split, 1, 2, 4).expectedSize(n);
        SplittableRandom rng = new SplittableRandom(seed);
        byte[] pixels = new byte[D];
        for (int i = 0; i < n; i++) {
            double[] e = new double[D];
            for (int j = 0; j < D; j++) {
                e[j] = rng.nextGaussian();
            }
            for (int j = 0; j < D; j++) {
                double y = mean[j];
                for (int k = 0; k <= j; k++) {
                    y += chol[j][k] * e[k];
                }
                long level = Math.round(Math.floor((y + 0.5) * 256));
                pixels[j] = (byte) Math.max(0, Math.min(255, level));
            }
            b.add(pixels, 0, -1);
        }
        return b.build();
    }

    private static double[][] choleskyFactor() {
        double[][] l = new double[D][D];
        SplittableRandom rng = new SplittableRandom(7);
        for (int j = 0; j < D; j++) {
            for (int k = 0; k < j; k++) {
                l[j][k] = 0.02 * rng.nextGaussian();
            }
            l[j][j] = 0.04 + 0.03 * j / D;
        }
        return l;
    }

    /** Differential entropy of N(., L L^T) in bits/dim of 8-bit images: h / (D ln 2) + 8. */
    private static double entropyBpd(double[][] l) {
        double logDet = 0;
        for (int j = 0; j < D; j++) {
            logDet += 2 * Math.log(l[j][j]);
        }
        double h = 0.5 * (D * Math.log(2 * Math.PI * Math.E) + logDet);
        return h / (D * Math.log(2)) + 8;
    }

    @Test
    void affineFigureOfGaussianDataIsItsDifferentialEntropy() {
        double[][] l = choleskyFactor();
        double[] mean = {0.1, -0.1, 0.05, 0, 0.2, -0.2, 0.15, -0.05};
        ImageDataset train = gaussianImages("train", 40_000, l, mean, 1);
        ImageDataset test = gaussianImages("test", 40_000, l, mean, 2);
        LikelihoodReference ref = LikelihoodReference.of(train, test, 8);
        double entropy = entropyBpd(l);
        // Quantisation removes 2^-16/12 of variance (Sheppard) and the dequantization noise adds it back, so
        // the dequantized covariance is the Gaussian's up to sampling error (about 0.003 bits/dim here).
        assertEquals(entropy, ref.affine().trainBpd(), 0.01);
        assertEquals(entropy, ref.affine().testBpd(), 0.01);
        // Fit on train, scored on train: the optimum; on fresh data it can only be worse, up to sampling noise.
        assertTrue(ref.affine().testBpd() > ref.affine().trainBpd() - 0.005, ref.toString());
        // The classes nest: diagonal <= affine in expressiveness, linear without bias pays for the nonzero mean.
        assertTrue(ref.diagonal().trainBpd() > ref.affine().trainBpd() + 0.05, ref.toString());
        assertTrue(ref.linear().trainBpd() > ref.affine().trainBpd() + 0.05, ref.toString());
    }

    @Test
    void diagonalFigureOfIndependentDataEqualsTheAffineOne() {
        double[][] l = new double[D][D];
        for (int j = 0; j < D; j++) {
            l[j][j] = 0.03 + 0.01 * j;
        }
        double[] mean = new double[D];
        ImageDataset train = gaussianImages("train", 20_000, l, mean, 3);
        LikelihoodReference ref = LikelihoodReference.of(train, gaussianImages("test", 20_000, l, mean, 4), 8);
        assertEquals(ref.affine().trainBpd(), ref.diagonal().trainBpd(), 0.003);
        // Zero-mean data: the bias buys (almost) nothing.
        assertEquals(ref.affine().trainBpd(), ref.linear().trainBpd(), 0.003);
        assertEquals(entropyBpd(l), ref.diagonal().testBpd(), 0.01);
    }

    @Test
    void closedFormMomentsEqualThoseOfDrawnDequantizationNoise() {
        ImageDataset data = gaussianImages("train", 500, choleskyFactor(), new double[D], 5);
        int nBits = 5;
        SecondMoments exact = SecondMoments.of(data, nBits);
        int draws = 400;
        double[] sum = new double[D];
        double[][] products = new double[D][D];
        SplittableRandom noise = new SplittableRandom(11);
        byte[] px = new byte[D];
        for (int r = 0; r < draws; r++) {
            for (int i = 0; i < data.size(); i++) {
                data.copyExample(i, px, 0);
                double[] y = new double[D];
                for (int j = 0; j < D; j++) {
                    y[j] = (((px[j] & 0xff) >> (8 - nBits)) + noise.nextDouble()) / (1 << nBits) - 0.5;
                    sum[j] += y[j];
                }
                for (int j = 0; j < D; j++) {
                    for (int k = 0; k < D; k++) {
                        products[j][k] += y[j] * y[k];
                    }
                }
            }
        }
        double n = (double) draws * data.size();
        INDArray r = exact.autoCorrelation();
        for (int j = 0; j < D; j++) {
            assertEquals(sum[j] / n, exact.mean().getDouble(j), 2e-4);
            for (int k = 0; k < D; k++) {
                assertEquals(products[j][k] / n, r.getDouble(j, k), 2e-4, "R[" + j + "," + k + "]");
            }
        }
    }

    @Test
    @Integration
    void fashionMnistFiguresMatchTheKnownGaussianFits() throws IOException {
        Assumptions.assumeTrue(Files.isDirectory(Path.of("/usr/share/datasets/fashion-mnist")), "dataset-fashion-mnist is not installed");
        DatasetSplits splits = DatasetRegistry.standard().load(DataOptions.builder("fashion-mnist").build());
        LikelihoodReference ref = LikelihoodReference.of(splits.train(), splits.test(), 8);
        // Full-covariance and diagonal Gaussians on dequantized Fashion-MNIST: about 6.46 and 7.92 test bits/dim.
        assertEquals(6.46, ref.affine().testBpd(), 0.02, ref.toString());
        assertEquals(7.92, ref.diagonal().testBpd(), 0.02, ref.toString());
        assertTrue(ref.linear().testBpd() >= ref.affine().testBpd() - 1e-9, ref.toString());
    }
}
