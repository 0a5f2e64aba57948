package io.flowbench.bench;

import io.flowbench.flow.Flops;
import io.flowbench.flow.GridPermutation;
import io.flowbench.flow.MultiScaleLayout;
import io.flowbench.flow.SplitPrior;
import io.flowbench.flow.TopPrior;
import io.flowbench.model.ModelSpec;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Analytic count of the convolution and matrix FLOPs of a flow model (a multiply-add counts 2). A
 * k x k "same" convolution from Cin to Cout channels on an H x W map costs 2*k*k*Cin*Cout*H*W per
 * image; a [N, a] x [a, b] product 2*a*b per row. Element-wise ops (ActNorm, exp, sigmoid, sums) are
 * not counted: they are cheap in FLOPs, not in time, which is what the achieved GFLOP/s shows.
 *
 * <p>The count walks the model's {@link MultiScaleLayout} and lets each part count itself: every
 * step (its family's {@link io.flowbench.model.StepSpec#countFlops}: for Glow and DLF the invertible
 * 1x1 convolution, whose weight W = P (L U) costs two C x C products per batch, and the step's
 * networks, conv3x3 -> conv1x1 -> conv3x3), a factor-out policy's mask (three batched permutation
 * products, see {@link GridPermutation}), each factor-out's prior, and the top prior's class term.
 *
 * <p>Sampling runs the same convolutions backwards, so it is counted as one forward pass. Training is
 * counted as 3 forward passes: backpropagation through a convolution or product computes the gradient
 * with respect to its input and to its weights, each as many FLOPs as the forward product.
 */
public record FlopCount(Map<String, Double> perImage, double perBatch) {
    public static final double TRAINING_FACTOR = 3.0;

    public static FlopCount of(ModelSpec spec) {
        Flops flops = new Flops();
        MultiScaleLayout layout = spec.layout();
        for (MultiScaleLayout.Level level : layout.levels()) {
            for (int k = 0; k < spec.depth(); k++) {
                spec.step().countFlops(flops, level.steps(), spec);
            }
            if (spec.factorOutPolicy().permutes() && level.factorOut().isPresent()) {
                GridPermutation.countFlops(flops, level.steps().size());
            }
            level.factorOut().ifPresent(f ->
                    SplitPrior.countFlops(flops, f.kept().channels(), f.factored().channels(), level.steps()));
        }
        spec.step().countEndFlops(flops, layout.levels().get(layout.levels().size() - 1).steps(), spec);
        TopPrior.countFlops(flops, layout.top().channels(), spec.numClasses());
        Map<String, Double> terms = new LinkedHashMap<>(flops.perImage());
        terms.values().removeIf(v -> v == 0);
        return new FlopCount(Collections.unmodifiableMap(terms), flops.perBatch());
    }

    /** Forward FLOPs of one image (convolutions and products; per-batch weight products excluded). */
    public double forwardPerImage() {
        return perImage.values().stream().mapToDouble(Double::doubleValue).sum();
    }

    /** Forward FLOPs of a batch of {@code n} images, per-batch weight products included. */
    public double forward(int n) {
        return n * forwardPerImage() + perBatch;
    }

    /** Training FLOPs of a batch: forward and backward ({@value #TRAINING_FACTOR} x forward). */
    public double training(int n) {
        return TRAINING_FACTOR * forward(n);
    }
}
