package io.flowbench.model;

import io.flowbench.flow.FlowGraph;
import io.flowbench.flow.LatentShape;
import io.flowbench.flow.LogitTransform;
import java.util.Optional;

/**
 * The optional flow layer between the dequantized image and the multi-scale skeleton, open to every
 * model family; its log-det counts in bits/dim.
 *
 * @param logit whether the logit pre-processing layer is on
 * @param alpha the logit's alpha (only meaningful when it is on)
 */
public record Preprocessing(boolean logit, double alpha) {
    /** No pre-processing: the skeleton sees the dequantized image in [-0.5, 0.5). */
    public static final Preprocessing NONE = new Preprocessing(false, 0);

    public Preprocessing {
        if (logit) {
            LogitTransform.checkAlpha(alpha);
        }
    }

    public static Preprocessing logit(double alpha) {
        return new Preprocessing(true, alpha);
    }

    /** The layer for images of this shape, when there is one. */
    Optional<LogitTransform> create(FlowGraph g, LatentShape image) {
        return logit ? Optional.of(new LogitTransform(g, image, alpha)) : Optional.empty();
    }

    /** Default alpha by channel count: 1e-6 for greyscale (MNIST-like) images, 0.05 for colour ones (as Residual Flows). */
    public static double defaultLogitAlpha(int channels) {
        return channels == 1 ? 1e-6 : 0.05;
    }
}
