package io.flowbench.run;

import io.flowbench.data.Batch;
import io.flowbench.data.BatchIterator;
import io.flowbench.data.ImageDataset;
import io.flowbench.model.Dequantizer;
import io.flowbench.model.FlowModel;
import java.util.SplittableRandom;

/**
 * Mean test bits/dim over (a prefix of) a split, with dequantization noise fixed by a seed per batch
 * so that every evaluation of every run sees the same noisy test images.
 */
public final class Evaluator {
    private final ImageDataset data;
    private final int batchSize;
    private final long noiseSeed;

    public Evaluator(ImageDataset data, int batchSize, long noiseSeed) {
        this.data = data;
        this.batchSize = batchSize;
        this.noiseSeed = noiseSeed;
    }

    public int size() {
        return data.size();
    }

    public double bitsPerDim(FlowModel model) {
        Dequantizer dequantizer = new Dequantizer(model.spec().nBits());
        double sum = 0;
        long count = 0;
        try (BatchIterator batches = BatchIterator.sequential(data, batchSize)) {
            int index = 0;
            while (batches.hasNext()) {
                try (Batch b = batches.next()) {
                    var x = dequantizer.dequantize(b.images(), new SplittableRandom(noiseSeed + index++), model.dtype());
                    sum += model.bitsPerDim(x, model.spec().conditional() ? b.oneHot() : null).sumNumber().doubleValue();
                    count += b.size();
                }
            }
        }
        return sum / count;
    }
}
