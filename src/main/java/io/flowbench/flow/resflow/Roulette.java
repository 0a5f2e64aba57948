package io.flowbench.flow.resflow;

import java.util.SplittableRandom;

/**
 * The distribution of the Russian-roulette truncation N of the log-det power series: the series
 * keeps its first n-exact terms always and N more, and term k is weighted by 1 / P(N >= k - n-exact)
 * so that every term's expectation is its full value. Both are the reference code's choices:
 * Poisson(2) on {0, 1, ...}, and geometric(0.5) on {1, 2, ...} (numpy's geometric).
 */
public enum Roulette {
    POISSON {
        @Override
        int sample(SplittableRandom rng) {
            // Knuth: count uniforms until their product drops below e^-lambda (lambda is small).
            double limit = Math.exp(-POISSON_RATE);
            double product = rng.nextDouble();
            int n = 0;
            while (product > limit) {
                product *= rng.nextDouble();
                n++;
            }
            return n;
        }

        @Override
        double tail(int m) {
            double term = 1;
            double below = 0;
            for (int i = 0; i < m; i++) {
                below += term;
                term *= POISSON_RATE / (i + 1);
            }
            return 1 - Math.exp(-POISSON_RATE) * below;
        }
    },
    GEOMETRIC {
        @Override
        int sample(SplittableRandom rng) {
            int n = 1;
            while (rng.nextDouble() >= GEOMETRIC_P) {
                n++;
            }
            return n;
        }

        @Override
        double tail(int m) {
            return Math.pow(1 - GEOMETRIC_P, Math.max(m - 1, 0));
        }
    };

    static final double POISSON_RATE = 2.0;
    static final double GEOMETRIC_P = 0.5;

    /** P(N > headroom) below which a graph's series is sized: a draw that exceeds it grows the graph. */
    static final double HEADROOM_TAIL = 1e-4;

    /** The smallest m with P(N > m) < {@value #HEADROOM_TAIL}: the draws a graph holds room for beyond n-exact. */
    public int headroom() {
        int m = 0;
        while (tail(m + 1) >= HEADROOM_TAIL) {
            m++;
        }
        return m;
    }

    /** One draw of N. */
    abstract int sample(SplittableRandom rng);

    /** P(N >= m), for m >= 1. */
    abstract double tail(int m);

    /**
     * The weights of terms 1..capacity for a draw n: 1 for the first nExact terms, 1 / P(N >= k - nExact)
     * for the N terms after them, 0 beyond.
     */
    double[] weights(int drawn, int nExact, int capacity) {
        if (nExact + drawn > capacity) {
            throw new IllegalArgumentException("a series of " + (nExact + drawn) + " terms does not fit a graph of "
                    + capacity);
        }
        double[] w = new double[capacity];
        for (int k = 1; k <= nExact + drawn; k++) {
            w[k - 1] = k <= nExact ? 1.0 : 1.0 / tail(k - nExact);
        }
        return w;
    }
}
