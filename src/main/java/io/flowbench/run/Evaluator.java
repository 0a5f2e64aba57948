package io.flowbench.run;

import io.flowbench.data.Batch;
import io.flowbench.data.BatchIterator;
import io.flowbench.data.ImageDataset;
import io.flowbench.model.Dequantizer;
import io.flowbench.model.FlowModel;
import java.util.OptionalDouble;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Forward passes of a model over (a prefix of) a split: mean test bits/dim, or the latents of every example.
 * Dequantization noise is fixed by a seed per batch, so every evaluation of every run sees the same noisy
 * images. Both use {@link FlowModel#forEvaluation} (for resflow: its evaluation estimator, and spectral
 * norms refined for the weights in the model, which may be the averaged ones).
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
     * bits/dim is the prior terms' bits minus the sum of the levels' figures. {@code standardError}, for a
     * model whose log-det is a random estimate (resflow), is the standard error of the mean bits/dim over
     * the examples (their spread, and the estimate's, over sqrt(examples)).
     */
    public record Result(double bitsPerDim, OptionalDouble standardError, double[] levelVolumeBits) { }

    /** A stochastic log-det (resflow) is drawn from the stream of (noise seed, batch), the same in every evaluation. */
    public Result evaluate(FlowModel trained) {
        FlowModel model = trained.forEvaluation();
        double[] sums = new double[2];
        double[] levelSums = new double[model.spec().levels()];
        forEachBatch(model, (b, x, key) -> {
            FlowModel.Densities d = model.densities(x, model.spec().conditional() ? b.oneHot() : null, key);
            sums[0] += d.bitsPerDim().sumNumber().doubleValue();
            INDArray bpd = d.bitsPerDim().castTo(DataType.DOUBLE);
            sums[1] += bpd.mul(bpd).sumNumber().doubleValue();
            for (int l = 0; l < levelSums.length; l++) {
                levelSums[l] += d.levelLogDets().get(l).sumNumber().doubleValue();
            }
        });
        int count = data.size();
        double nats2bits = 1.0 / (model.spec().dimensions() * Math.log(2));
        double[] levelVolumeBits = new double[levelSums.length];
        for (int l = 0; l < levelSums.length; l++) {
            levelVolumeBits[l] = levelSums[l] / count * nats2bits;
        }
        double mean = sums[0] / count;
        double variance = count > 1 ? Math.max(0, (sums[1] - count * mean * mean) / (count - 1)) : 0;
        return new Result(mean, model.hasStochasticLogDet() ? OptionalDouble.of(Math.sqrt(variance / count))
                : OptionalDouble.empty(), levelVolumeBits);
    }

    /** Every example's latents ({@link FlowModel#latents}), one row per example in the split's order. */
    public float[][] latents(FlowModel trained) {
        FlowModel model = trained.forEvaluation();
        float[][] rows = new float[data.size()][];
        int[] next = new int[1];
        forEachBatch(model, (b, x, key) -> {
            INDArray z = model.latents(x, model.spec().conditional() ? b.oneHot() : null).castTo(DataType.FLOAT);
            for (int i = 0; i < b.size(); i++) {
                rows[next[0]++] = z.getRow(i).toFloatVector();
            }
        });
        return rows;
    }

    /** What is done with one batch: its dequantized images (in the model's type) and the batch's random key. */
    private interface BatchPass {
        void accept(Batch batch, INDArray x, long key);
    }

    /** Runs {@code pass} on each batch in order; batch i's noise (and estimator stream) is keyed noise seed + i. */
    private void forEachBatch(FlowModel model, BatchPass pass) {
        Dequantizer dequantizer = new Dequantizer(model.spec().nBits());
        try (BatchIterator batches = BatchIterator.sequential(data, batchSize)) {
            int index = 0;
            while (batches.hasNext()) {
                try (Batch b = batches.next()) {
                    long key = noiseSeed + index++;
                    pass.accept(b, dequantizer.dequantize(b.images(), new SplittableRandom(key), model.dtype()), key);
                }
            }
        }
    }
}
