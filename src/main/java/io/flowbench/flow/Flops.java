package io.flowbench.flow;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A tally of a flow's convolution and matrix FLOPs (a multiply-add counts 2), filled by the parts
 * themselves (each layer and conditioner knows its own cost): per image, by named term, and per
 * batch (work done once per batch, such as composing a weight from its factors).
 */
public final class Flops {
    private final Map<String, Double> perImage = new LinkedHashMap<>();
    private double perBatch;

    public void perImage(String term, double flops) {
        perImage.merge(term, flops, Double::sum);
    }

    public void perBatch(double flops) {
        perBatch += flops;
    }

    /** A k x k "same" convolution from {@code in} to {@code out} channels on a map of this shape's size, per image. */
    public static double conv(int kernel, int in, int out, LatentShape shape) {
        return 2.0 * kernel * kernel * in * out * shape.pixels();
    }

    public Map<String, Double> perImage() {
        return Collections.unmodifiableMap(perImage);
    }

    public double perBatch() {
        return perBatch;
    }
}
