package io.flowbench.data;

import java.util.SplittableRandom;

/** Seeded permutations and coin flips: the same (seed, stream) always gives the same sequence. */
final class Shuffling {

    private Shuffling() {
    }

    /** A random source for one purpose ({@code stream}) under one seed. */
    static SplittableRandom random(long seed, long stream) {
        return new SplittableRandom(seed * 0x9E3779B97F4A7C15L + stream);
    }

    /** A uniformly random permutation of 0..n-1 (Fisher-Yates). */
    static int[] permutation(int n, SplittableRandom random) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}
