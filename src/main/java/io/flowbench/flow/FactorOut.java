package io.flowbench.flow;

import org.nd4j.autodiff.samediff.SDVariable;

/**
 * A multi-scale factor-out: of a level's output, the first {@code kept} channels go on to the next
 * level and the rest become a latent scored by a prior conditioned on the kept ones. Which
 * dimensions are factored out is decided by the layers before it: a factor-out policy is a fixed
 * volume-preserving permutation placed at the end of the level.
 */
public final class FactorOut {

    /** Channels that go on and channels factored out, at the level's spatial size. */
    public record Shapes(LatentShape kept, LatentShape factored) {

        /** Half the channels go on (Glow, DLF); fails with the reason on an odd channel count. */
        public static Shapes halves(LatentShape input) {
            if (input.channels() % 2 != 0) {
                throw new IllegalArgumentException("factor-out needs an even channel count, got " + input.channels());
            }
            int kept = input.channels() / 2;
            return new Shapes(input.withChannels(kept), input.withChannels(input.channels() - kept));
        }
    }

    /** The density side of a factor-out: what goes on, the latent, it whitened, and its log-density [N]. */
    public record Split(SDVariable kept, SDVariable latent, SDVariable standardised, SDVariable logProb) { }

    private final FlowGraph g;
    private final Shapes shapes;
    private final Prior prior;

    /** @param prior the latent's distribution given the kept channels */
    public FactorOut(FlowGraph g, Shapes shapes, Prior prior) {
        this.g = g;
        this.shapes = shapes;
        this.prior = prior;
    }

    public Split split(SDVariable h) {
        SDVariable[] parts = g.channelSlices(h, shapes.kept().channels(), shapes.factored().channels());
        DiagonalGaussian p = prior.given(parts[0]);
        return new Split(parts[0], parts[1], p.standardise(parts[1]), p.logProb(parts[1]));
    }

    /** Of per-dimension values at the level's output (log-det shares), those of the dimensions that go on. */
    public SDVariable keptPart(SDVariable perDimension) {
        return g.channelSlices(perDimension, shapes.kept().channels(), shapes.factored().channels())[0];
    }

    /** The inverse of {@link #split}: the level's output from what went on and the whitened latent. */
    public SDVariable merge(SDVariable kept, SDVariable standardised) {
        return g.sd().concat(1, kept, prior.given(kept).fromStandard(standardised));
    }
}
