package io.flowbench.model;

import io.flowbench.flow.ActNorm;
import io.flowbench.flow.AffineCoupling;
import io.flowbench.flow.Conditioner;
import io.flowbench.flow.ConvNet;
import io.flowbench.flow.DynamicLinear;
import io.flowbench.flow.FlowGraph;
import io.flowbench.flow.FlowLayer;
import io.flowbench.flow.FlowSequence;
import io.flowbench.flow.Flops;
import io.flowbench.flow.InvertibleConv1x1;
import io.flowbench.flow.LatentShape;
import java.util.List;
import java.util.Locale;

/**
 * The flow step of a model: what one model family puts at each position of the multi-scale
 * skeleton. Open: a family is an implementation of this (its options in the record) plus a
 * {@code config.StepReader} bound to its {@code model.kind} in {@code config.ConfigModule}; nothing
 * else branches on the family (see docs/flow-api.md).
 */
public interface StepSpec {

    /** Short name of the model family, its {@code model.kind} ("glow", "dlf"). */
    String kind();

    /** One line for people: the family and its options (recorded as the run's model.description). */
    String describe();

    /** Checks that a level with this many channels can hold the step; the reason when not. */
    void checkChannels(int channels);

    /** Whether levels factor out channels when {@code model.factor-out = auto}, for images of this shape. */
    boolean factorsOutByDefault(LatentShape image);

    /** One step on [C, H, W] latents, its parameters created now; {@code model} gives the shared options. */
    FlowLayer create(FlowGraph g, String name, LatentShape shape, ModelSpec model);

    /** The FLOPs of one step on [C, H, W] latents (see {@code bench.FlopCount}). */
    void countFlops(Flops flops, LatentShape shape, ModelSpec model);

    /**
     * Whether the inverse costs what the forward pass does (Glow's and DLF's layers run backwards), so that
     * sampling's FLOPs are known; false for an inverse iterated until it converges (resflow's fixed point).
     */
    default boolean invertsInClosedForm() {
        return true;
    }

    /**
     * Whether a training step runs the same convolutions every time, so that its FLOPs are known; false where
     * part of the work depends on random draws (resflow's Neumann gradient computes its series forward-only
     * up to the batch's longest roulette draw).
     */
    default boolean trainsAFixedGraph() {
        return true;
    }

    /**
     * Layers after the last level's steps, on its [C, H, W] latents (resflow's fully connected blocks);
     * none by default. Created after the last step, so they draw their initial values last.
     */
    default List<FlowLayer> createEnd(FlowGraph g, String name, LatentShape shape, ModelSpec model) {
        return List.of();
    }

    /** The FLOPs of {@link #createEnd}'s layers on [C, H, W] latents. */
    default void countEndFlops(Flops flops, LatentShape shape, ModelSpec model) {
    }

    /**
     * The step as an architecture, without choices that change how it is trained or evaluated but not the
     * model it defines (resflow's estimator settings): what a published figure is matched on.
     */
    default StepSpec architecture() {
        return this;
    }

    /**
     * Floats per pixel of one image that one step's forward pass holds at once, for the off-heap estimate
     * ({@code cluster.OffHeapEstimate}): with {@code backward} (a training step), every op output the backward pass
     * needs, which SameDiff keeps until then; without (evaluation, sampling), what is alive together, SameDiff
     * releasing an output once its consumers ran. Counted from the step's ops, rounded up.
     */
    double activationsPerPixel(LatentShape shape, ModelSpec model, boolean backward);

    /** The step an evaluation graph uses: itself, unless the family evaluates with other settings (resflow's n-exact). */
    default StepSpec forEvaluation() {
        return this;
    }

    /**
     * The same step with room for a log-det power series of {@code terms} terms, for a family whose
     * graph holds one (resflow, on a {@code SeriesCapacityException}).
     */
    default StepSpec withSeriesCapacity(int terms) {
        throw new UnsupportedOperationException(kind() + " has no log-det power series");
    }

    /** The step networks of Glow and DLF: ConvNet with the model's hidden width and classes. */
    private static Conditioner convNets(ModelSpec model) {
        return ConvNet.conditioner(model.hidden(), model.numClasses());
    }

    /** Glow: ActNorm -> invertible 1x1 conv -> affine (or additive) coupling. */
    record Glow(boolean additiveCoupling) implements StepSpec {
        @Override
        public String kind() {
            return "glow";
        }

        @Override
        public String describe() {
            return "glow (" + (additiveCoupling ? "additive" : "affine") + " coupling)";
        }

        @Override
        public void checkChannels(int channels) {
            if (channels % 2 != 0) {
                throw new IllegalArgumentException("Glow coupling needs an even channel count, got " + channels);
            }
        }

        @Override
        public boolean factorsOutByDefault(LatentShape image) {
            return true;
        }

        @Override
        public FlowLayer create(FlowGraph g, String name, LatentShape shape, ModelSpec model) {
            return new FlowSequence(List.of(
                    new ActNorm(g, name + "/actnorm", shape),
                    new InvertibleConv1x1(g, name + "/invconv", shape, model.invConvBias()),
                    new AffineCoupling(g, name + "/coupling", shape.channels(), additiveCoupling, convNets(model))));
        }

        @Override
        public void countFlops(Flops flops, LatentShape shape, ModelSpec model) {
            InvertibleConv1x1.countFlops(flops, shape);
            AffineCoupling.countFlops(flops, shape, additiveCoupling, convNets(model));
        }

        /**
         * ActNorm and the 1x1 convolution: C each; the coupling: the halves (C), the network's conv1, ReLU,
         * conv2, ReLU (4 hidden) and conv3 (C: shift and scale), the scale's sigmoid and log (C), the
         * transformed half and the concatenation (1.5 C), log-det terms (0.5 C): 4 hidden + 8 C, all of them
         * (forward only, counted in full too: SameDiff's array cache keeps released arrays for reuse).
         */
        @Override
        public double activationsPerPixel(LatentShape shape, ModelSpec model, boolean backward) {
            return 4.0 * model.hidden() + 8.0 * shape.channels();
        }
    }

    /** DLF: invertible 1x1 conv -> dynamic linear transformation. */
    record Dlf(DynamicLinear.Options options) implements StepSpec {
        @Override
        public String kind() {
            return "dlf";
        }

        @Override
        public String describe() {
            return String.format("dlf (K=%d, %s form, %s parts, %s first part, logs init tanh*%.3g%+.3g)",
                    options.parts(), options.form() == DynamicLinear.Form.INVERSE ? "inverse" : "non-inverse",
                    options.partition().name().toLowerCase(Locale.ROOT),
                    options.firstPart().name().toLowerCase(Locale.ROOT),
                    options.logScaleRescaleInit(), options.logScaleShiftInit());
        }

        @Override
        public void checkChannels(int channels) {
            DynamicLinear.partSizes(channels, options.parts(), options.partition());
        }

        @Override
        public boolean factorsOutByDefault(LatentShape image) {
            return true;
        }

        @Override
        public FlowLayer create(FlowGraph g, String name, LatentShape shape, ModelSpec model) {
            return new FlowSequence(List.of(
                    new InvertibleConv1x1(g, name + "/invconv", shape, model.invConvBias()),
                    new DynamicLinear(g, name + "/dynlinear", shape, options, convNets(model), model.numClasses())));
        }

        @Override
        public void countFlops(Flops flops, LatentShape shape, ModelSpec model) {
            InvertibleConv1x1.countFlops(flops, shape);
            DynamicLinear.countFlops(flops, shape, options, convNets(model), model.numClasses());
        }

        /**
         * The 1x1 convolution (C); per part after the first, a network on the previous part (4 hidden, and its
         * output: shift and log-scale, 2 sizes); per part, the bounded log-scale, its exp, the transformed part
         * and its log-det term (4 sizes); the concatenation (C): 4 hidden per network + 8 C (forward only too, as
         * for Glow).
         */
        @Override
        public double activationsPerPixel(LatentShape shape, ModelSpec model, boolean backward) {
            return 4.0 * model.hidden() * (options.parts() - 1) + 8.0 * shape.channels();
        }
    }
}
