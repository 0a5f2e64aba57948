package io.flowbench.model;

import io.flowbench.flow.ActNorm;
import io.flowbench.flow.Flattened;
import io.flowbench.flow.FlowGraph;
import io.flowbench.flow.FlowLayer;
import io.flowbench.flow.FlowSequence;
import io.flowbench.flow.Flops;
import io.flowbench.flow.LatentShape;
import io.flowbench.flow.resflow.GradientMode;
import io.flowbench.flow.resflow.IResBlock;
import io.flowbench.flow.resflow.Roulette;
import io.flowbench.flow.resflow.SeriesOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Residual Flows (Chen et al. 2019): each step is an invertible residual block y = x + g(x) with an
 * unbiased log-det estimate, then ActNorm (docs/resflow.md). g's hidden width is the model's
 * {@code hidden}. The model's very first block has no pre-activation, as in the reference code.
 * Optionally, fully connected blocks (each followed by an ActNorm on every dimension) on the flattened
 * latent after the last scale, as the reference's {@code fc_end}.
 *
 * @param coefficient   spectral-norm coefficient c in (0, 1): every convolution's operator norm is at most c
 * @param series        the training estimator (n-exact, roulette, gradient mode, graph capacity)
 * @param evalNExact    exact terms of the estimate evaluation uses
 * @param preActivation whether g starts with an activation (except in the model's first block)
 * @param fcEndBlocks   fully connected blocks after the last scale (>= 0)
 * @param fcEndHidden   hidden width of their g (>= 1)
 */
public record ResFlowStep(double coefficient, SeriesOptions series, int evalNExact, boolean preActivation,
                          int fcEndBlocks, int fcEndHidden) implements StepSpec {
    /** Image side from which {@code factor-out = auto} factors out (the reference keeps every dimension below). */
    static final int FACTOR_OUT_FROM_SIDE = 64;
    /** The reference's fc_idim. */
    public static final int DEFAULT_FC_END_HIDDEN = 128;

    public ResFlowStep {
        if (!(coefficient > 0 && coefficient < 1)) {
            throw new IllegalArgumentException("the spectral-norm coefficient must be in (0, 1), got " + coefficient);
        }
        if (evalNExact < 1) {
            throw new IllegalArgumentException("eval-n-exact must be >= 1, got " + evalNExact);
        }
        if (fcEndBlocks < 0 || fcEndHidden < 1) {
            throw new IllegalArgumentException("fc-end-blocks must be >= 0 and fc-end-hidden >= 1, got "
                    + fcEndBlocks + " and " + fcEndHidden);
        }
    }

    /** Without fully connected blocks at the end. */
    public ResFlowStep(double coefficient, SeriesOptions series, int evalNExact, boolean preActivation) {
        this(coefficient, series, evalNExact, preActivation, 0, DEFAULT_FC_END_HIDDEN);
    }

    /** The step with a graph sized for n-exact terms plus the roulette's {@link Roulette#headroom()}. */
    public static ResFlowStep of(double coefficient, Roulette roulette, int nExact, int evalNExact,
                                 GradientMode gradient, boolean preActivation, int fcEndBlocks, int fcEndHidden) {
        return new ResFlowStep(coefficient, new SeriesOptions(roulette, nExact, nExact + roulette.headroom(), gradient),
                evalNExact, preActivation, fcEndBlocks, fcEndHidden);
    }

    /** {@link #of} without fully connected blocks at the end. */
    public static ResFlowStep of(double coefficient, Roulette roulette, int nExact, int evalNExact,
                                 GradientMode gradient, boolean preActivation) {
        return of(coefficient, roulette, nExact, evalNExact, gradient, preActivation, 0, DEFAULT_FC_END_HIDDEN);
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
                preActivation ? "pre-activation" : "no pre-activation")
                + (fcEndBlocks > 0 ? String.format(Locale.ROOT, ", %d fc-end blocks of width %d", fcEndBlocks, fcEndHidden) : "");
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
     * The fully connected blocks on the flattened latent, each an invertible residual block whose g is
     * LipSwish -> linear (D -> fc-end-hidden) -> LipSwish -> linear -> LipSwish -> linear (-> D), then
     * an ActNorm per dimension (the reference's ActNorm1d), as one {@link Flattened} layer per block.
     */
    @Override
    public List<FlowLayer> createEnd(FlowGraph g, String name, LatentShape shape, ModelSpec model) {
        LatentShape flat = Flattened.flat(shape);
        List<FlowLayer> blocks = new ArrayList<>();
        for (int i = 0; i < fcEndBlocks; i++) {
            String block = name + "/fc" + i;
            blocks.add(new Flattened(shape, new FlowSequence(List.of(
                    IResBlock.fullyConnected(g, block + "/iresblock", flat.channels(), fcEndHidden, preActivation,
                            coefficient, series),
                    new ActNorm(g, block + "/actnorm", flat)))));
        }
        return blocks;
    }

    @Override
    public void countFlops(Flops flops, LatentShape shape, ModelSpec model) {
        countBlock(flops, "resblock", 3, shape, model.hidden());
    }

    @Override
    public void countEndFlops(Flops flops, LatentShape shape, ModelSpec model) {
        for (int i = 0; i < fcEndBlocks; i++) {
            countBlock(flops, "fc-end resblock", 1, Flattened.flat(shape), fcEndHidden);
        }
    }

    /**
     * g's three convolutions, and the same three (without bias) for each of the graph's power-series
     * terms (every execution computes all of them; the roulette only weights them); {@code neumann} adds
     * one more Jacobian-vector product. Neumann's second forward pass per training step is not counted
     * here (FLOPs of one execution, as for every kind).
     */
    private void countBlock(Flops flops, String label, int kernel, LatentShape shape, int hidden) {
        int c = shape.channels();
        double g = Flops.conv(kernel, c, hidden, shape) + Flops.conv(1, hidden, hidden, shape)
                + Flops.conv(kernel, hidden, c, shape);
        flops.perImage(label + " g", g);
        int products = series.capacity() + (series.gradient() == GradientMode.NEUMANN ? 1 : 0);
        flops.perImage(label + " series J^k v", products * g);
    }

    /**
     * The roulette, n-exact, eval-n-exact, gradient mode and series capacity set to the defaults: each choice
     * estimates the same log-likelihood without bias, so they belong with the training settings. Without
     * fc-end blocks their width means nothing.
     */
    @Override
    public StepSpec architecture() {
        return of(coefficient, Roulette.POISSON, 2, 20, GradientMode.NEUMANN, preActivation, fcEndBlocks,
                fcEndBlocks == 0 ? DEFAULT_FC_END_HIDDEN : fcEndHidden);
    }

    /**
     * g's pass: each LipSwish (on the pre-activation's C, on conv1's and conv2's hidden) leaves 9 arrays (b z, its
     * sigmoid s, z s, the value, b z s, 1 - s, their product, the sum and the derivative), the convolutions one
     * each: 20 hidden + 10 C; each Jacobian-vector product (IResBlock's series): v times the derivatives and the
     * convolutions between (4 hidden, 2 C) and its trace term (C); the residual sum, ActNorm and log-det terms
     * (4 C). A training step keeps the products its backward pass goes through: every term of the graph's
     * capacity when the series is backpropagated, the one surrogate product with the Neumann estimator (its series
     * is computed forward only, beforehand); forward only, a product is released once the next is computed: 2
     * alive at once, whatever the number of terms.
     */
    @Override
    public double activationsPerPixel(LatentShape shape, ModelSpec model, boolean backward) {
        int c = shape.channels();
        int h = model.hidden();
        int products = !backward ? 2 : series.gradient() == GradientMode.NEUMANN ? 1 : series.capacity();
        return 20.0 * h + 14.0 * c + products * (4.0 * h + 3.0 * c);
    }

    /** A fixed-point iteration per block, run until it converges: its FLOPs depend on the input. */
    @Override
    public boolean invertsInClosedForm() {
        return false;
    }

    /** Neumann's series is computed forward-only up to the longest draw in the batch; backprop-series holds every term. */
    @Override
    public boolean trainsAFixedGraph() {
        return series.gradient() != GradientMode.NEUMANN;
    }

    /** Evaluation: {@link #evalNExact} exact terms, differentiated by nothing (backprop-series builds no extra inputs). */
    @Override
    public StepSpec forEvaluation() {
        return of(coefficient, series.roulette(), evalNExact, evalNExact, GradientMode.BACKPROP_SERIES, preActivation,
                fcEndBlocks, fcEndHidden);
    }

    @Override
    public StepSpec withSeriesCapacity(int terms) {
        return new ResFlowStep(coefficient, series.withCapacity(terms), evalNExact, preActivation, fcEndBlocks, fcEndHidden);
    }
}
