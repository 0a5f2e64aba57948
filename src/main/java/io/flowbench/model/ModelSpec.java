package io.flowbench.model;

import io.flowbench.flow.FactorOutPolicy;
import io.flowbench.flow.LatentShape;
import io.flowbench.flow.MultiScaleLayout;

/**
 * Everything that defines a flow model's architecture: input shape, the multi-scale skeleton, the
 * step and the pre-processing. The compact constructor checks every shape constraint up front
 * (through {@link #layout()}), so a bad configuration fails with the reason before any graph is built.
 *
 * @param input           image shape [C, H, W]
 * @param levels          number of levels (squeeze + steps; optionally a factor-out between levels)
 * @param depth           flow steps per level
 * @param hidden          channels of the hidden convolutions in each step's network
 * @param nBits           bits per colour channel the images are reduced to (1..8)
 * @param numClasses      class count for a class-conditional model, 0 for unconditional
 * @param learnedTopPrior learned (true) or standard normal (false) prior on the top latent
 * @param invConvBias     whether the invertible 1x1 convolutions have a bias
 * @param step            the flow step (the model family)
 * @param factorOut       whether every level but the last factors out half its channels
 * @param preprocessing   the layer before the skeleton (logit, or none)
 * @param factorOutPolicy which dimensions each factor-out sends to its latent (docs/factor-out.md)
 */
public record ModelSpec(LatentShape input, int levels, int depth, int hidden, int nBits, int numClasses,
                        boolean learnedTopPrior, boolean invConvBias, StepSpec step, boolean factorOut,
                        Preprocessing preprocessing, FactorOutPolicy factorOutPolicy) {

    public ModelSpec {
        if (factorOutPolicy.permutes() && (!factorOut || levels < 2)) {
            throw new IllegalArgumentException("the factor-out policy " + factorOutPolicy.kind().configName()
                    + " needs factor-out on and at least 2 levels");
        }
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
        int level = 0;
        for (MultiScaleLayout.Level l : MultiScaleLayout.of(input, levels, factorOut).levels()) {
            try {
                step.checkChannels(l.steps().channels());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("level " + level + ": " + e.getMessage(), e);
            }
            level++;
        }
    }

    /** The skeleton with today's factor-out: the last half of the channels leave. */
    public ModelSpec(LatentShape input, int levels, int depth, int hidden, int nBits, int numClasses,
                     boolean learnedTopPrior, boolean invConvBias, StepSpec step, boolean factorOut,
                     Preprocessing preprocessing) {
        this(input, levels, depth, hidden, nBits, numClasses, learnedTopPrior, invConvBias, step, factorOut,
                preprocessing, FactorOutPolicy.CHANNELS);
    }

    /** Glow's and DLF's skeleton: half the channels factored out between levels, no pre-processing. */
    public ModelSpec(LatentShape input, int levels, int depth, int hidden, int nBits, int numClasses,
                     boolean learnedTopPrior, boolean invConvBias, StepSpec step) {
        this(input, levels, depth, hidden, nBits, numClasses, learnedTopPrior, invConvBias, step, true,
                Preprocessing.NONE);
    }

    /** This architecture with another step (resflow's evaluation estimator, or a larger series capacity). */
    public ModelSpec withStep(StepSpec other) {
        return new ModelSpec(input, levels, depth, hidden, nBits, numClasses, learnedTopPrior, invConvBias, other,
                factorOut, preprocessing, factorOutPolicy);
    }

    /** The shapes through the skeleton. */
    public MultiScaleLayout layout() {
        return MultiScaleLayout.of(input, levels, factorOut);
    }

    /** Dimensions D of one image (C*H*W), the denominator of bits/dim. */
    public long dimensions() {
        return input.size();
    }

    public boolean conditional() {
        return numClasses > 0;
    }
}
