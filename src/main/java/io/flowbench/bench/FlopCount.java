package io.flowbench.bench;

import io.flowbench.flow.DynamicLinear;
import io.flowbench.model.ModelSpec;
import io.flowbench.model.StepSpec;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Analytic count of the convolution and matrix FLOPs of a flow model (a multiply-add counts 2). A
 * k x k "same" convolution from Cin to Cout channels on an H x W map costs 2*k*k*Cin*Cout*H*W per
 * image; a [N, a] x [a, b] product 2*a*b per row. Element-wise ops (ActNorm, exp, sigmoid, sums) are
 * not counted: they are cheap in FLOPs, not in time, which is what the achieved GFLOP/s shows.
 *
 * <p>Per image, forward (density) direction: each step's invertible 1x1 convolution and its
 * network(s), conv3x3 -> conv1x1 -> conv3x3 (Glow: one coupling network from C/2 to C, or C/2 when
 * additive; DLF: one per part k > 1, from part k-1 to 2 x part k); each split prior's conv3x3 from the
 * kept half to twice the factored half; class-conditional linear terms. Per batch: building each 1x1
 * convolution's weight W = P (L U) from its LU factors, two C x C products.
 *
 * <p>Sampling runs the same convolutions backwards, so it is counted as one forward pass. Training is
 * counted as 3 forward passes: backpropagation through a convolution or product computes the gradient
 * with respect to its input and to its weights, each as many FLOPs as the forward product.
 */
public record FlopCount(Map<String, Double> perImage, double perBatch) {
    public static final double TRAINING_FACTOR = 3.0;

    public static FlopCount of(ModelSpec spec) {
        Map<String, Double> terms = new LinkedHashMap<>();
        double perBatch = 0;
        int channels = spec.input().channels();
        int height = spec.input().height();
        int width = spec.input().width();
        int classes = spec.numClasses();
        for (int level = 0; level < spec.levels(); level++) {
            channels *= 4;
            height /= 2;
            width /= 2;
            double pixels = (double) height * width;
            for (int k = 0; k < spec.depth(); k++) {
                add(terms, "invconv 1x1", 2.0 * channels * channels * pixels);
                perBatch += 2 * 2.0 * channels * channels * channels;
                if (spec.step() instanceof StepSpec.Glow glow) {
                    int half = channels / 2;
                    network(terms, half, spec.hidden(), glow.additiveCoupling() ? half : channels, pixels, classes);
                } else if (spec.step() instanceof StepSpec.Dlf dlf) {
                    DynamicLinear.Options o = dlf.options();
                    int[] sizes = DynamicLinear.partSizes(channels, o.parts(), o.partition());
                    if (o.firstPart() == DynamicLinear.FirstPart.LEARNED) {
                        add(terms, "class linear", 2.0 * classes * 2 * sizes[0]);
                    }
                    for (int p = 1; p < sizes.length; p++) {
                        network(terms, sizes[p - 1], spec.hidden(), 2 * sizes[p], pixels, classes);
                    }
                }
            }
            if (level < spec.levels() - 1) {
                int kept = channels / 2;
                int factored = channels - kept;
                add(terms, "prior conv3x3", conv(3, kept, 2 * factored, pixels));
                channels = kept;
            }
        }
        if (classes > 0) {
            add(terms, "class linear", 2.0 * classes * 2 * channels);
        }
        terms.values().removeIf(v -> v == 0);
        return new FlopCount(Collections.unmodifiableMap(terms), perBatch);
    }

    private static void network(Map<String, Double> terms, int in, int hidden, int out, double pixels, int classes) {
        add(terms, "net conv3x3 in", conv(3, in, hidden, pixels));
        add(terms, "net conv1x1", conv(1, hidden, hidden, pixels));
        add(terms, "net conv3x3 out", conv(3, hidden, out, pixels));
        add(terms, "class linear", 2.0 * classes * out);
    }

    private static double conv(int kernel, int in, int out, double pixels) {
        return 2.0 * kernel * kernel * in * out * pixels;
    }

    private static void add(Map<String, Double> terms, String key, double flops) {
        terms.merge(key, flops, Double::sum);
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
