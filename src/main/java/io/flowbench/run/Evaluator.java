package io.flowbench.run;

import io.flowbench.data.Batch;
import io.flowbench.data.BatchIterator;
import io.flowbench.data.ImageDataset;
import io.flowbench.model.Dequantizer;
import io.flowbench.model.FlowModel;
import java.util.SplittableRandom;
import java.util.function.BiConsumer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Forward passes of a model over (a prefix of) a split: mean test bits/dim, or the latents of every example.
 * Dequantization noise is fixed by a seed per batch, so every evaluation of every run sees the same noisy
 * images.
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
        double[] sum = new double[1];
        double[] levelSums = new double[model.spec().levels()];
        forEachBatch(model, (b, x) -> {
            FlowModel.Densities d = model.densities(x, model.spec().conditional() ? b.oneHot() : null);
            sum[0] += d.bitsPerDim().sumNumber().doubleValue();
            for (int l = 0; l < levelSums.length; l++) {
                levelSums[l] += d.levelLogDets().get(l).sumNumber().doubleValue();
            }
        });
        double nats2bits = 1.0 / (model.spec().dimensions() * Math.log(2));
        double[] levelVolumeBits = new double[levelSums.length];
        for (int l = 0; l < levelSums.length; l++) {
            levelVolumeBits[l] = levelSums[l] / data.size() * nats2bits;
        }
        return new Result(sum[0] / data.size(), levelVolumeBits);
    }

    /** Every example's latents ({@link FlowModel#latents}), one row per example in the split's order. */
    public float[][] latents(FlowModel model) {
        float[][] rows = new float[data.size()][];
        int[] next = new int[1];
        forEachBatch(model, (b, x) -> {
            INDArray z = model.latents(x, model.spec().conditional() ? b.oneHot() : null).castTo(DataType.FLOAT);
            for (int i = 0; i < b.size(); i++) {
                rows[next[0]++] = z.getRow(i).toFloatVector();
            }
        });
        return rows;
    }

    /** Runs {@code pass} on each batch in order with its dequantized images, in the model's type. */
    private void forEachBatch(FlowModel model, BiConsumer<Batch, INDArray> pass) {
        Dequantizer dequantizer = new Dequantizer(model.spec().nBits());
        try (BatchIterator batches = BatchIterator.sequential(data, batchSize)) {
            int index = 0;
            while (batches.hasNext()) {
                try (Batch b = batches.next()) {
                    pass.accept(b, dequantizer.dequantize(b.images(), new SplittableRandom(noiseSeed + index++), model.dtype()));
                }
            }
        }
    }
}
