package io.flowbench.flow.resflow;

/**
 * The unbiased log-det estimator of an invertible residual block.
 *
 * @param roulette distribution of the number of terms after the exact ones
 * @param nExact   terms always computed (>= 1)
 * @param capacity terms the graph holds: nExact plus the largest draw it can take (>= nExact)
 * @param gradient how training differentiates the estimate
 */
public record SeriesOptions(Roulette roulette, int nExact, int capacity, GradientMode gradient) {
    public SeriesOptions {
        if (nExact < 1) {
            throw new IllegalArgumentException("n-exact must be >= 1, got " + nExact);
        }
        if (capacity < nExact) {
            throw new IllegalArgumentException("series capacity " + capacity + " is below n-exact " + nExact);
        }
    }

    /** The same estimator with room for a series of at least {@code terms} terms. */
    public SeriesOptions withCapacity(int terms) {
        return new SeriesOptions(roulette, nExact, terms, gradient);
    }
}
