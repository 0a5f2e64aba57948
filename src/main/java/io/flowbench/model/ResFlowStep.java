package io.flowbench.model;

import io.flowbench.flow.ActNorm;
import io.flowbench.flow.FlowGraph;
import io.flowbench.flow.FlowLayer;
import io.flowbench.flow.FlowSequence;
import io.flowbench.flow.Flops;
import io.flowbench.flow.LatentShape;
import io.flowbench.flow.resflow.GradientMode;
import io.flowbench.flow.resflow.IResBlock;
import io.flowbench.flow.resflow.Roulette;
import io.flowbench.flow.resflow.SeriesOptions;
import java.util.List;
import java.util.Locale;

/**
 * Residual Flows (Chen et al. 2019): each step is an invertible residual block y = x + g(x) with an
 * unbiased log-det estimate, then ActNorm (docs/resflow.md). g's hidden width is the model's
 * {@code hidden}. The model's very first block has no pre-activation, as in the reference code.
 *
 * @param coefficient   spectral-norm coefficient c in (0, 1): every convolution's operator norm is at most c
 * @param series        the training estimator (n-exact, roulette, gradient mode, graph capacity)
 * @param evalNExact    exact terms of the estimate evaluation uses
 * @param preActivation whether g starts with an activation (except in the model's first block)
 */
public record ResFlowStep(double coefficient, SeriesOptions series, int evalNExact, boolean preActivation)
        implements StepSpec {
    /** Image side from which {@code factor-out = auto} factors out (the reference keeps every dimension below). */
    static final int FACTOR_OUT_FROM_SIDE = 64;

    public ResFlowStep {
        if (!(coefficient > 0 && coefficient < 1)) {
            throw new IllegalArgumentException("the spectral-norm coefficient must be in (0, 1), got " + coefficient);
        }
        if (evalNExact < 1) {
            throw new IllegalArgumentException("eval-n-exact must be >= 1, got " + evalNExact);
        }
    }

    /** The step with a graph sized for n-exact terms plus the roulette's {@link Roulette#headroom()}. */
    public static ResFlowStep of(double coefficient, Roulette roulette, int nExact, int evalNExact,
                                 GradientMode gradient, boolean preActivation) {
        return new ResFlowStep(coefficient, new SeriesOptions(roulette, nExact, nExact + roulette.headroom(), gradient),
                evalNExact, preActivation);
    }

    @Override
    public String kind() {
        return "resflow";
    }

    @Override
    public String describe() {
        return String.format(Locale.ROOT, "resflow (c=%s, %s roulette, n-exact %d train / %d eval, %s gradient, %s)",
                coefficient, series.roulette().name().toLowerCase(Locale.ROOT), series.nExact(), evalNExact,
                series.gradient() == GradientMode.NEUMANN ? "neumann" : "backprop-series",
                preActivation ? "pre-activation" : "no pre-activation");
    }

    /** Any channel count: g maps C channels to C. */
    @Override
    public void checkChannels(int channels) {
    }

    @Override
    public boolean factorsOutByDefault(LatentShape image) {
        return Math.min(image.height(), image.width()) >= FACTOR_OUT_FROM_SIDE;
    }

    /** The first block created in a graph is the model's first (steps are created in forward order). */
    @Override
    public FlowLayer create(FlowGraph g, String name, LatentShape shape, ModelSpec model) {
        boolean first = g.stochasticLayers().isEmpty();
        return new FlowSequence(List.of(
                new IResBlock(g, name + "/iresblock", shape, model.hidden(), preActivation && !first, coefficient, series),
                new ActNorm(g, name + "/actnorm", shape)));
    }

    /**
     * g's three convolutions, and the same three (without bias) for each of the graph's power-series
     * terms (every execution computes all of them; the roulette only weights them); {@code neumann} adds
     * one more Jacobian-vector product. Neumann's second forward pass per training step is not counted
     * here (FLOPs of one execution, as for every kind).
     */
    @Override
    public void countFlops(Flops flops, LatentShape shape, ModelSpec model) {
        int c = shape.channels();
        int h = model.hidden();
        double g = Flops.conv(3, c, h, shape) + Flops.conv(1, h, h, shape) + Flops.conv(3, h, c, shape);
        flops.perImage("resblock g", g);
        int products = series.capacity() + (series.gradient() == GradientMode.NEUMANN ? 1 : 0);
        flops.perImage("resblock series J^k v", products * g);
    }

    /** Evaluation: {@link #evalNExact} exact terms, differentiated by nothing (backprop-series builds no extra inputs). */
    @Override
    public StepSpec forEvaluation() {
        return of(coefficient, series.roulette(), evalNExact, evalNExact, GradientMode.BACKPROP_SERIES, preActivation);
    }

    @Override
    public StepSpec withSeriesCapacity(int terms) {
        return new ResFlowStep(coefficient, series.withCapacity(terms), evalNExact, preActivation);
    }
}
