package io.flowbench.reference;

import io.flowbench.data.ImageDataset;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.eigen.Eigen;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The likelihood a flow reaches without anything non-linear, in closed form (Liao and He, arXiv 2102.06539):
 * the maximum-likelihood Gaussian of each class of linear model, fit on the training split's dequantized images
 * and scored on both splits in bits/dim exactly as training reports them. A linear flow z = W y with a standard
 * normal prior is the Gaussian N(0, (W^T W)^-1); its optimum is W^T W = R^-1 with R = E[y y^T], the
 * auto-correlation, so its negative log-likelihood is (1/2) sum_i log(2 pi e lambda_i) over R's eigenvalues.
 * With a bias (ActNorm, or a learned prior mean) R becomes the covariance; an element-wise (diagonal) model
 * keeps only the variances. See docs/likelihood-reference.md.
 *
 * @param linear   no bias: eigenvalues of the auto-correlation matrix
 * @param affine   with bias: eigenvalues of the covariance matrix
 * @param diagonal per-dimension scale and shift: the variances
 */
public record LikelihoodReference(int nBits, int dimensions, Figure linear, Figure affine, Figure diagonal) {

    /** One model class's figure: its optimum on the training split and that fit's score on the test split. */
    public record Figure(double trainBpd, double testBpd) { }

    public static LikelihoodReference of(ImageDataset train, ImageDataset test, int nBits) {
        if (train.exampleLength() != test.exampleLength()) {
            throw new IllegalArgumentException("train and test images differ in size: " + train.exampleLength()
                    + " and " + test.exampleLength() + " values");
        }
        return of(SecondMoments.of(train, nBits), SecondMoments.of(test, nBits), nBits);
    }

    static LikelihoodReference of(SecondMoments train, SecondMoments test, int nBits) {
        int d = train.dimensions();
        INDArray zero = Nd4j.zeros(DataType.DOUBLE, d);
        Figure linear = gaussian(zero, train.autoCorrelation(), test.mean(), test.covariance(), train.mean(),
                train.covariance(), nBits);
        Figure affine = gaussian(train.mean(), train.covariance(), test.mean(), test.covariance(), train.mean(),
                train.covariance(), nBits);
        INDArray variances = Nd4j.diag(Nd4j.diag(train.covariance()));
        Figure diagonal = gaussian(train.mean(), variances, test.mean(), test.covariance(), train.mean(),
                train.covariance(), nBits);
        return new LikelihoodReference(nBits, d, linear, affine, diagonal);
    }

    /**
     * Bits/dim of the Gaussian N(mu, sigma) on data with the given mean and covariance, on both splits:
     * -log p = (1/2) [D log 2 pi + log det sigma + tr(sigma^-1 (C + (m - mu)(m - mu)^T))], through sigma's
     * eigen-decomposition (sigma is positive definite: the dequantization noise adds 2^-2n / 12 to every
     * variance).
     */
    private static Figure gaussian(INDArray mu, INDArray sigma, INDArray testMean, INDArray testCov,
                                   INDArray trainMean, INDArray trainCov, int nBits) {
        int d = (int) mu.length();
        INDArray vectors = sigma.dup();
        INDArray eigenvalues = Eigen.symmetricGeneralizedEigenvalues(vectors, true);
        double logDet = 0;
        for (int i = 0; i < d; i++) {
            double lambda = eigenvalues.getDouble(i);
            if (!(lambda > 0)) {
                throw new IllegalStateException("covariance eigenvalue " + lambda + " is not positive");
            }
            logDet += Math.log(lambda);
        }
        double train = nll(vectors, eigenvalues, logDet, mu, trainMean, trainCov);
        double test = nll(vectors, eigenvalues, logDet, mu, testMean, testCov);
        return new Figure(bitsPerDim(train, d, nBits), bitsPerDim(test, d, nBits));
    }

    private static double nll(INDArray vectors, INDArray eigenvalues, double logDet, INDArray mu, INDArray mean,
                              INDArray cov) {
        int d = (int) mu.length();
        INDArray second = cov.add(SecondMoments.outer(mean.sub(mu), mean.sub(mu)));
        // tr(sigma^-1 M) = sum_i v_i^T M v_i / lambda_i, the eigenvectors v_i being sigma's columns.
        INDArray projected = vectors.transpose().mmul(second).mmul(vectors);
        double trace = 0;
        for (int i = 0; i < d; i++) {
            trace += projected.getDouble(i, i) / eigenvalues.getDouble(i);
        }
        return 0.5 * (d * Math.log(2 * Math.PI) + logDet + trace);
    }

    /** Per-example negative log-density of y (nats) to bits/dim of the n-bit image, as the model reports it. */
    static double bitsPerDim(double nll, int dimensions, int nBits) {
        return nll / (dimensions * Math.log(2)) + nBits;
    }
}
