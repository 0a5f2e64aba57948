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

    /**
     * Mean bits/dim, and each level's mean log|det J| in bits per dimension of the image
     * (log-det / (D ln 2)): positive where the level expands volume, negative where it contracts it. The
     * bits/dim is the prior terms' bits minus the sum of the levels' figures.
     */
    public record Result(double bitsPerDim, double[] levelVolumeBits) { }

    public Result evaluate(FlowModel model) {
        Dequantizer dequantizer = new Dequantizer(model.spec().nBits());
        double sum = 0;
        double[] levelSums = new double[model.spec().levels()];
        long count = 0;
        try (BatchIterator batches = BatchIterator.sequential(data, batchSize)) {
            int index = 0;
            while (batches.hasNext()) {
                try (Batch b = batches.next()) {
                    var x = dequantizer.dequantize(b.images(), new SplittableRandom(noiseSeed + index++), model.dtype());
                    FlowModel.Densities d = model.densities(x, model.spec().conditional() ? b.oneHot() : null);
                    sum += d.bitsPerDim().sumNumber().doubleValue();
                    for (int l = 0; l < levelSums.length; l++) {
                        levelSums[l] += d.levelLogDets().get(l).sumNumber().doubleValue();
                    }
                    count += b.size();
                }
            }
        }
        double nats2bits = 1.0 / (model.spec().dimensions() * Math.log(2));
        double[] levelVolumeBits = new double[levelSums.length];
        for (int l = 0; l < levelSums.length; l++) {
            levelVolumeBits[l] = levelSums[l] / count * nats2bits;
        }
        return new Result(sum / count, levelVolumeBits);
    }
}
