package io.flowbench.flow;

import java.util.ArrayList;
import java.util.List;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * The multi-scale skeleton shared by Glow and DLF (Dinh et al.; Kingma and Dhariwal): L levels, each
 * a squeeze then K steps; between levels half the channels are factored out and scored by a learned
 * conditional prior, the other half goes on; the last level's latent is scored by the top prior.
 */
public final class MultiScaleFlow {

    /**
     * The density side of the flow. logProb is log p(x) of the (continuous) input per example,
     * logDet the flow's total log|det J|; latents are the raw factored-out z's (splits first, top
     * last) and standardised the same whitened under their priors.
     */
    public record Encoding(SDVariable logProb, SDVariable logDet, List<SDVariable> latents,
                           List<SDVariable> standardised) { }

    private final FlowGraph g;
    private final SameDiff sd;
    private final List<Squeeze> squeezes = new ArrayList<>();
    private final List<FlowLayer> levelSteps = new ArrayList<>();
    private final List<SplitPrior> splits = new ArrayList<>();
    private final TopPrior top;
    private final List<LatentShape> latentShapes = new ArrayList<>();

    public MultiScaleFlow(FlowGraph g, LatentShape input, int levels, int depth, StepFactory steps,
                          boolean learnedTopPrior, int numClasses) {
        if (levels < 1 || depth < 1) {
            throw new IllegalArgumentException("levels and depth must be >= 1, got " + levels + " and " + depth);
        }
        int scale = 1 << levels;
        if (input.height() % scale != 0 || input.width() % scale != 0) {
            throw new IllegalArgumentException("image size " + input.height() + "x" + input.width()
                    + " is not divisible by 2^levels = " + scale + " (levels = " + levels + ")");
        }
        this.g = g;
        this.sd = g.sd();
        LatentShape shape = input;
        for (int level = 0; level < levels; level++) {
            squeezes.add(new Squeeze(g, shape.channels(), shape.height(), shape.width()));
            shape = new LatentShape(4 * shape.channels(), shape.height() / 2, shape.width() / 2);
            List<FlowLayer> levelLayers = new ArrayList<>();
            for (int k = 0; k < depth; k++) {
                levelLayers.add(steps.create(g, "level" + level + "/step" + k, shape.channels(), shape.height(), shape.width()));
            }
            levelSteps.add(new FlowSequence(levelLayers));
            if (level < levels - 1) {
                int kept = shape.channels() / 2;
                int factored = shape.channels() - kept;
                splits.add(new SplitPrior(g, "level" + level + "/split", kept, factored));
                latentShapes.add(new LatentShape(factored, shape.height(), shape.width()));
                shape = new LatentShape(kept, shape.height(), shape.width());
            }
        }
        latentShapes.add(shape);
        this.top = new TopPrior(g, "top", shape.channels(), learnedTopPrior, numClasses);
    }

    /** Shapes of the latents, in the order of {@link Encoding#latents()}. */
    public List<LatentShape> latentShapes() {
        return List.copyOf(latentShapes);
    }

    public Encoding encode(SDVariable x, SDVariable condition) {
        SDVariable h = x;
        SDVariable logDet = null;
        SDVariable logProb = null;
        List<SDVariable> latents = new ArrayList<>();
        List<SDVariable> standardised = new ArrayList<>();
        for (int level = 0; level < levelSteps.size(); level++) {
            h = squeezes.get(level).forward(h, condition).value();
            Transformed t = levelSteps.get(level).forward(h, condition);
            h = t.value();
            logDet = Transformed.addLogDets(logDet, t.logDet());
            if (level < splits.size()) {
                SDVariable[] parts = g.channelSlices(h, latentShapes.get(level).channels(), latentShapes.get(level).channels());
                DiagonalGaussian prior = splits.get(level).given(parts[0]);
                logProb = Transformed.addLogDets(logProb, prior.logProb(parts[1]));
                latents.add(parts[1]);
                standardised.add(prior.standardise(parts[1]));
                h = parts[0];
            }
        }
        DiagonalGaussian prior = top.given(condition);
        logProb = Transformed.addLogDets(logProb, prior.logProb(h));
        latents.add(h);
        standardised.add(prior.standardise(h));
        return new Encoding(logProb.add(logDet), logDet, latents, standardised);
    }

    /** Runs the skeleton backwards from whitened latents (in {@link #latentShapes()} order). */
    public SDVariable decode(List<SDVariable> standardised, SDVariable condition) {
        if (standardised.size() != latentShapes.size()) {
            throw new IllegalArgumentException("expected " + latentShapes.size() + " latents, got " + standardised.size());
        }
        SDVariable h = top.given(condition).fromStandard(standardised.get(standardised.size() - 1));
        for (int level = levelSteps.size() - 1; level >= 0; level--) {
            if (level < splits.size()) {
                SDVariable factored = splits.get(level).given(h).fromStandard(standardised.get(level));
                h = sd.concat(1, h, factored);
            }
            h = levelSteps.get(level).inverse(h, condition).value();
            h = squeezes.get(level).inverse(h, condition).value();
        }
        return h;
    }
}
