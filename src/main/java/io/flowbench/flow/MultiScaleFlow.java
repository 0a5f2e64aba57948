package io.flowbench.flow;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.nd4j.autodiff.samediff.SDVariable;

/**
 * The multi-scale skeleton (Dinh et al.; Kingma and Dhariwal), assembled from parts: per level a
 * bijection (a squeeze and the family's steps; level 0 may start with a pre-processing layer) and an
 * optional factor-out with its prior; a prior on what the last level outputs. A model without
 * factor-out keeps every dimension to the top.
 */
public final class MultiScaleFlow {

    /** One level: its layers in forward order, and its factor-out when it has one. */
    public record Level(FlowLayer layers, Optional<FactorOut> factorOut) { }

    /**
     * The density side of the flow. logProb is log p(x) of the (continuous) input per example,
     * logDet the flow's total log|det J|; latents are the raw factored-out z's (factor-outs first,
     * top last) and standardised the same whitened under their priors; levelLogDets each level's
     * share of logDet (its volume change), level 0 including the pre-processing layer.
     */
    public record Encoding(SDVariable logProb, SDVariable logDet, List<SDVariable> latents,
                           List<SDVariable> standardised, List<SDVariable> levelLogDets) { }

    private final List<Level> levels;
    private final Prior top;
    private final List<LatentShape> latentShapes;

    /** @param latentShapes shapes of the latents, in {@link Encoding#latents()} order */
    public MultiScaleFlow(List<Level> levels, Prior top, List<LatentShape> latentShapes) {
        long factorOuts = levels.stream().filter(l -> l.factorOut().isPresent()).count();
        if (levels.isEmpty() || latentShapes.size() != factorOuts + 1) {
            throw new IllegalArgumentException(levels.size() + " levels with " + factorOuts
                    + " factor-outs cannot have " + latentShapes.size() + " latents");
        }
        this.levels = List.copyOf(levels);
        this.top = top;
        this.latentShapes = List.copyOf(latentShapes);
    }

    /** Shapes of the latents, in the order of {@link Encoding#latents()}. */
    public List<LatentShape> latentShapes() {
        return latentShapes;
    }

    public Encoding encode(SDVariable x, SDVariable condition) {
        return encode(x, condition, false);
    }

    /**
     * @param traceShares whether the levels are built with {@link FlowLayer#forwardTraced}, so that the
     *                    log-det is also split over the dimensions (a mask sees the shares at its input):
     *                    the same density, with the extra ops the likelihood-contribution policy reads
     */
    public Encoding encode(SDVariable x, SDVariable condition, boolean traceShares) {
        SDVariable h = x;
        SDVariable shares = traceShares ? x.getSameDiff().zerosLike(x) : null;
        SDVariable logDet = null;
        SDVariable logProb = null;
        List<SDVariable> latents = new ArrayList<>();
        List<SDVariable> standardised = new ArrayList<>();
        List<SDVariable> levelLogDets = new ArrayList<>();
        for (Level level : levels) {
            Transformed t;
            if (traceShares) {
                Traced traced = level.layers().forwardTraced(h, shares, condition);
                t = traced.out();
                shares = traced.shares();
            } else {
                t = level.layers().forward(h, condition);
            }
            h = t.value();
            levelLogDets.add(t.logDet());
            logDet = logDet == null ? t.logDet() : logDet.add(t.logDet());
            if (level.factorOut().isPresent()) {
                FactorOut.Split split = level.factorOut().get().split(h);
                logProb = logProb == null ? split.logProb() : logProb.add(split.logProb());
                latents.add(split.latent());
                standardised.add(split.standardised());
                h = split.kept();
                shares = traceShares ? level.factorOut().get().keptPart(shares) : null;
            }
        }
        DiagonalGaussian prior = top.given(condition);
        logProb = logProb == null ? prior.logProb(h) : logProb.add(prior.logProb(h));
        latents.add(h);
        standardised.add(prior.standardise(h));
        return new Encoding(logProb.add(logDet), logDet, latents, standardised, levelLogDets);
    }

    /** Runs the skeleton backwards from whitened latents (in {@link #latentShapes()} order). */
    public SDVariable decode(List<SDVariable> standardised, SDVariable condition) {
        if (standardised.size() != latentShapes.size()) {
            throw new IllegalArgumentException("expected " + latentShapes.size() + " latents, got " + standardised.size());
        }
        SDVariable h = top.given(condition).fromStandard(standardised.get(standardised.size() - 1));
        int latent = standardised.size() - 1;
        for (int i = levels.size() - 1; i >= 0; i--) {
            Level level = levels.get(i);
            if (level.factorOut().isPresent()) {
                h = level.factorOut().get().merge(h, standardised.get(--latent));
            }
            h = level.layers().inverse(h, condition).value();
        }
        return h;
    }
}
