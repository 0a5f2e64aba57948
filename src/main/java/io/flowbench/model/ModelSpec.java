package io.flowbench.model;

import io.flowbench.flow.LatentShape;

/**
 * Everything that defines a flow model's architecture: input shape, the multi-scale skeleton and
 * the step. The compact constructor checks every shape constraint up front, so a bad configuration
 * fails with the reason before any graph is built.
 *
 * @param input           image shape [C, H, W]
 * @param levels          number of levels (squeeze + steps; a split between consecutive levels)
 * @param depth           flow steps per level
 * @param hidden          channels of the hidden convolutions in each step's network
 * @param nBits           bits per colour channel the images are reduced to (1..8)
 * @param numClasses      class count for a class-conditional model, 0 for unconditional
 * @param learnedTopPrior learned (true) or standard normal (false) prior on the top latent
 * @param invConvBias     whether the invertible 1x1 convolutions have a bias
 * @param step            the flow step (Glow or DLF)
 */
public record ModelSpec(LatentShape input, int levels, int depth, int hidden, int nBits, int numClasses,
                        boolean learnedTopPrior, boolean invConvBias, StepSpec step) {

    public ModelSpec {
        if (levels < 1 || depth < 1 || hidden < 1) {
            throw new IllegalArgumentException("levels, depth and hidden must be >= 1, got "
                    + levels + ", " + depth + ", " + hidden);
        }
        if (nBits < 1 || nBits > 8) {
            throw new IllegalArgumentException("n_bits must be in 1..8, got " + nBits);
        }
        if (numClasses < 0) {
            throw new IllegalArgumentException("numClasses must be >= 0, got " + numClasses);
        }
        int scale = 1 << levels;
        if (input.height() % scale != 0 || input.width() % scale != 0) {
            throw new IllegalArgumentException("image size " + input.height() + "x" + input.width()
                    + " is not divisible by 2^levels = " + scale
                    + "; pad or resize the images, or use fewer levels");
        }
        int channels = input.channels();
        for (int level = 0; level < levels; level++) {
            channels *= 4;
            try {
                step.checkChannels(channels);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("level " + level + ": " + e.getMessage(), e);
            }
            channels /= 2;
        }
    }

    /** Dimensions D of one image (C*H*W), the denominator of bits/dim. */
    public long dimensions() {
        return input.size();
    }

    public boolean conditional() {
        return numClasses > 0;
    }
}
