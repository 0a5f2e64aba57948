package io.flowbench.flow;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * A diagonal Gaussian over [N, C, H, W] latents, in graph form; mean and log-sd broadcast against
 * the latent (both null: the standard normal).
 */
public record DiagonalGaussian(SameDiff sd, SDVariable mean, SDVariable logSd) {
    private static final double LOG_2PI = Math.log(2 * Math.PI);

    public static DiagonalGaussian standard(SameDiff sd) {
        return new DiagonalGaussian(sd, null, null);
    }

    /** log N(z; mean, sd^2) summed over C, H, W: shape [N]. */
    public SDVariable logProb(SDVariable z) {
        if (mean == null) {
            return sd.math().square(z).add(LOG_2PI).sum(1, 2, 3).mul(-0.5);
        }
        SDVariable standardised = standardise(z);
        // The log-sd term is added to a full-shaped tensor so that it counts once per element.
        return sd.math().square(standardised).add(logSd.mul(2)).add(LOG_2PI).sum(1, 2, 3).mul(-0.5);
    }

    /** eps = (z - mean) / sd: the latent whitened under this Gaussian. */
    public SDVariable standardise(SDVariable z) {
        return mean == null ? z : z.sub(mean).mul(sd.math().exp(logSd.neg()));
    }

    /** z = mean + sd * eps: the inverse of {@link #standardise}. */
    public SDVariable fromStandard(SDVariable eps) {
        return mean == null ? eps : eps.mul(sd.math().exp(logSd)).add(mean);
    }
}
