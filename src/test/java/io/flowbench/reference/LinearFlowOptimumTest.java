package io.flowbench.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowbench.data.ImageDataset;
import io.flowbench.flow.ActNorm;
import io.flowbench.flow.FlowGraph;
import io.flowbench.flow.FlowLayer;
import io.flowbench.flow.FlowSequence;
import io.flowbench.flow.Flops;
import io.flowbench.flow.InvertibleConv1x1;
import io.flowbench.flow.LatentShape;
import io.flowbench.model.Dequantizer;
import io.flowbench.model.FlowModel;
import io.flowbench.model.ModelSpec;
import io.flowbench.model.Preprocessing;
import io.flowbench.model.StepSpec;
import io.flowbench.train.FlowTrainer;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Adam;

/**
 * A flow of linear layers only, trained by flowbench's own trainer, ends at the closed-form affine figure: on
 * 4x4 images with two levels and no factor-out the last level acts on 16 channels at 1x1, so its 1x1
 * convolution is a full 16 x 16 matrix and the model is exactly the affine Gaussian class.
 */
class LinearFlowOptimumTest {
    private static final LatentShape IMAGE = new LatentShape(1, 4, 4);
    private static final int TRAIN = 4096;

    /** ActNorm then an invertible 1x1 convolution: nothing non-linear. */
    private record LinearStep() implements StepSpec {
        @Override
        public String kind() {
            return "linear";
        }

        @Override
        public String describe() {
            return "linear (actnorm + 1x1 conv)";
        }

        @Override
        public void checkChannels(int channels) {
        }

        @Override
        public boolean factorsOutByDefault(LatentShape image) {
            return false;
        }

        @Override
        public FlowLayer create(FlowGraph g, String name, LatentShape shape, ModelSpec model) {
            return new FlowSequence(List.of(new ActNorm(g, name + "/actnorm", shape),
                    new InvertibleConv1x1(g, name + "/invconv", shape, false)));
        }

        @Override
        public void countFlops(Flops flops, LatentShape shape, ModelSpec model) {
            InvertibleConv1x1.countFlops(flops, shape);
        }

        @Override
        public double activationsPerPixel(LatentShape shape, ModelSpec model, boolean backward) {
            return 2.0 * shape.channels();
        }
    }

    /** 8-bit images of a correlated Gaussian over the 16 pixels (random lower-triangular factor). */
    private static ImageDataset images(int n, long seed) {
        SplittableRandom factor = new SplittableRandom(3);
        double[][] l = new double[16][16];
        for (int j = 0; j < 16; j++) {
            for (int k = 0; k < j; k++) {
                l[j][k] = 0.03 * factor.nextGaussian();
            }
            l[j][j] = 0.03 + 0.02 * factor.nextDouble();
        }
        SplittableRandom rng = new SplittableRandom(seed);
        ImageDataset.Builder b = ImageDataset.builder("gauss16", "train", 1, 4, 4).expectedSize(n);
        byte[] px = new byte[16];
        for (int i = 0; i < n; i++) {
            double[] e = new double[16];
            for (int j = 0; j < 16; j++) {
                e[j] = rng.nextGaussian();
            }
            for (int j = 0; j < 16; j++) {
                double y = 0.1 * Math.sin(j);
                for (int k = 0; k <= j; k++) {
                    y += l[j][k] * e[k];
                }
                px[j] = (byte) Math.max(0, Math.min(255, (int) Math.floor((y + 0.5) * 256)));
            }
            b.add(px, 0, -1);
        }
        return b.build();
    }

    private static INDArray pixels(ImageDataset data) {
        float[] out = new float[data.size() * 16];
        int[] order = new int[data.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        data.copyAsFloats(order, 0, data.size(), null, out);
        return Nd4j.create(out, new long[] {data.size(), 1, 4, 4}, DataType.FLOAT);
    }

    @Test
    void trainedLinearFlowReachesTheAffineFigureAndNotBelow() {
        ImageDataset train = images(TRAIN, 1);
        LikelihoodReference ref = LikelihoodReference.of(train, train, 8);
        ModelSpec spec = new ModelSpec(IMAGE, 2, 1, 1, 8, 0, true, false, new LinearStep(), false, Preprocessing.NONE);
        FlowModel model = FlowModel.build(spec, DataType.FLOAT, 0);
        FlowTrainer trainer = new FlowTrainer(model, new Adam(1e-2));
        Dequantizer dequantizer = new Dequantizer(8);
        INDArray all = pixels(train);
        SplittableRandom noise = new SplittableRandom(5);
        int batch = 256;
        for (int step = 0; step < 1500; step++) {
            int from = (step * batch) % TRAIN;
            INDArray x = dequantizer.dequantize(all.get(NDArrayIndex.interval(from, from + batch)),
                    noise, DataType.FLOAT);
            trainer.step(x, null);
        }
        // Scored on the training images with 8 fresh noise draws: the expected objective, up to about 0.002.
        double sum = 0;
        int draws = 8;
        for (int d = 0; d < draws; d++) {
            sum += model.bitsPerDim(dequantizer.dequantize(all, noise, DataType.FLOAT), null).meanNumber().doubleValue();
        }
        double bpd = sum / draws;
        assertEquals(ref.affine().trainBpd(), bpd, 0.02, "trained linear flow vs closed-form optimum " + ref);
        assertTrue(bpd > ref.affine().trainBpd() - 0.005, "below the optimum beyond noise: " + bpd + " vs " + ref);
        // And it is far from the element-wise figure: the 1x1 convolutions learned the correlations.
        assertTrue(bpd < ref.diagonal().trainBpd() - 0.1, bpd + " vs " + ref);
    }
}
