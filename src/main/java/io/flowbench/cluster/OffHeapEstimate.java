package io.flowbench.cluster;

import io.flowbench.flow.Flops;
import io.flowbench.flow.LatentShape;
import io.flowbench.flow.MultiScaleLayout;
import io.flowbench.model.ModelSpec;
import io.flowbench.run.RunPlan;
import io.flowbench.run.RunSettings;
import java.util.Comparator;
import java.util.List;

/**
 * The native memory one run needs, from its resolved model and batch sizes, for the executors' off-heap limit
 * ({@code cluster.off-heap = auto}). ND4J keeps every tensor outside the heap (float32, 4 bytes); what holds
 * them during a run (resflow's fc-end blocks are not counted):
 * <ul>
 *   <li><b>training step</b>: SameDiff keeps every op's output of the forward pass for the backward pass, which
 *   adds the gradient of each and, per op, the gradients with respect to its inputs before they are summed (most
 *   ops here are binary: add, mul, conv with its weights), so 3 x batch x the arrays of every step
 *   ({@link io.flowbench.model.StepSpec#activationsPerPixel}) plus the squeezes, factor-outs and priors (a few
 *   arrays of the image's size per level);</li>
 *   <li><b>evaluation</b>: the evaluation twin graph's forward pass at the evaluation batch size (its own steps:
 *   resflow evaluates with its exact terms), forward only; counted besides the training arrays, not instead of
 *   them, since freed native memory stays resident and SameDiff's array cache keeps released arrays for reuse;</li>
 *   <li><b>parameters</b>: weights, their gradients, the optimizer's two moments, the EMA copy and the evaluation
 *   twin's copy: 6 x the parameter count (a step's convolution weights are its FLOPs per pixel / 2; for resflow this
 *   counts g once per series product too, an overcount of small arrays);</li>
 *   <li><b>convolution scratch</b>: the largest 3x3 convolution's im2col buffer (9 x input channels per pixel) at the
 *   training batch;</li>
 *   <li><b>runtime</b>: the native libraries, the JVM's own non-heap memory and OpenBLAS/oneDNN buffers
 *   ({@value #RUNTIME_MIB} MiB; bench measures 123-130 MiB off-heap for a tiny model, its arrays included).</li>
 * </ul>
 * The sum times {@value #SAFETY} is the estimate: the counts are per op output and round up, the factor covers
 * allocator fragmentation (freed native memory is not returned at once) and ops' temporaries not counted.
 * docs/cluster.md compares it with peaks measured by {@code flowbench bench}.
 *
 * @param bytes the estimate in bytes
 * @param run   the run it was made for
 */
public record OffHeapEstimate(long bytes, RunPlan run) {
    static final double SAFETY = 1.5;
    static final long RUNTIME_MIB = 128;
    private static final long FLOAT_BYTES = 4;
    /** Model-level arrays per pixel per level, in image-sized units: squeeze, factor-out halves, prior terms. */
    private static final double LEVEL_ARRAYS = 6;
    /** Arrays per forward output in a training step: the output, its gradient, the gradients of the op's inputs. */
    static final double TRAINING_COPIES = 3;
    /** Copies of the parameters: weights, gradients, two optimizer moments, EMA, the evaluation twin. */
    private static final int PARAMETER_COPIES = 6;

    /** The largest estimate over the planned runs (they share the executors' limit). */
    public static OffHeapEstimate largest(List<RunPlan> runs) {
        return runs.stream().map(OffHeapEstimate::of).max(Comparator.comparingLong(OffHeapEstimate::bytes))
                .orElseThrow(() -> new IllegalArgumentException("an experiment without runs"));
    }

    public static OffHeapEstimate of(RunPlan run) {
        return new OffHeapEstimate(bytes(run.model(), run.settings()), run);
    }

    static long bytes(ModelSpec model, RunSettings s) {
        ModelSpec evaluation = model.withStep(model.step().forEvaluation());
        double floats = TRAINING_COPIES * s.batchSize() * activationsPerImage(model, true)
                + (double) s.evalBatchSize() * activationsPerImage(evaluation, false)
                + PARAMETER_COPIES * parameters(model)
                + (double) s.batchSize() * largestIm2col(model);
        return (long) (SAFETY * (floats * FLOAT_BYTES + (RUNTIME_MIB << 20)));
    }

    /** Floats of one image that a forward pass holds at once, kept for a {@code backward} pass or not. */
    static double activationsPerImage(ModelSpec model, boolean backward) {
        double floats = 0;
        for (MultiScaleLayout.Level level : model.layout().levels()) {
            LatentShape shape = level.steps();
            floats += model.depth() * shape.pixels() * model.step().activationsPerPixel(shape, model, backward)
                    + LEVEL_ARRAYS * shape.size();
        }
        return floats;
    }

    /** Convolution and matrix weights of the steps: a k x k convolution's FLOPs per pixel are 2 k^2 Cin Cout. */
    static double parameters(ModelSpec model) {
        double weights = 0;
        for (MultiScaleLayout.Level level : model.layout().levels()) {
            Flops flops = new Flops();
            model.step().countFlops(flops, level.steps(), model);
            double perPixel = flops.perImage().values().stream().mapToDouble(Double::doubleValue).sum()
                    / (2.0 * level.steps().pixels());
            weights += model.depth() * perPixel;
        }
        return weights;
    }

    /** im2col of the widest 3x3 convolution input (the hidden width, into conv3) on the largest level, per image. */
    private static double largestIm2col(ModelSpec model) {
        return model.layout().levels().stream()
                .mapToDouble(l -> 9.0 * Math.max(model.hidden(), l.steps().channels()) * l.steps().pixels())
                .max().orElse(0);
    }

    /** The one line the driver prints: the figure and why. */
    public String describe() {
        RunSettings s = run.settings();
        return String.format("%d MiB for the largest run, %s (%s, %d levels x depth %d, hidden %d, images %s, "
                        + "training batch %d, evaluation batch %d): its training and evaluation arrays, parameters "
                        + "and the native runtime, x%.1f (docs/cluster.md)", bytes >> 20, run.runName(),
                run.model().step().kind(), run.model().levels(), run.model().depth(), run.model().hidden(),
                run.model().input(), s.batchSize(), s.evalBatchSize(), SAFETY);
    }
}
