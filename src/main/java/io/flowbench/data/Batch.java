package io.flowbench.data;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One batch: {@code images} float32 [B, C, H, W] holding integer pixel values 0..255; {@code labels} (-1
 * when unlabeled); {@code oneHot} float32 [B, numClasses], or null for unlabeled data; which examples of the
 * split it holds ({@code indices}) and which of them were mirrored ({@code flipped}); the epoch and the
 * batch's position ({@code step}, counted from 0 over all epochs).
 */
public record Batch(INDArray images, int[] labels, INDArray oneHot, int[] indices, boolean[] flipped, int epoch,
                    long step) implements AutoCloseable {

    public int size() {
        return labels.length;
    }

    /** Frees the batch's off-heap arrays now instead of at garbage collection. */
    @Override
    public void close() {
        if (images.closeable()) {
            images.close();
        }
        if (oneHot != null && oneHot.closeable()) {
            oneHot.close();
        }
    }
}
