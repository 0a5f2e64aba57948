package io.flowbench.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowbench.flow.FactorOutPolicy;
import io.flowbench.flow.FactorOutPolicy.Kind;
import io.flowbench.flow.FactorOutPolicy.Order;
import io.flowbench.flow.LatentShape;
import io.flowbench.train.Checkpoint;
import io.flowbench.train.FlowTrainer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.AdaMax;

/**
 * The likelihood-contribution policy on images whose left half is constant (only dequantization
 * noise) and whose right half carries structure: the ranking separates the two halves, the mask is
 * fixed after the warm-up, training uses it, and a run resumed mid-warm-up ends with the same mask.
 */
class LikelihoodContributionTest {
    private static final LatentShape IMAGE = new LatentShape(1, 8, 8);
    private static final int WARMUP = 4;

    private static ModelSpec spec(Order order) {
        return new ModelSpec(IMAGE, 2, 1, 8, 8, 0, true, false, new StepSpec.Glow(false), true, Preprocessing.NONE,
                new FactorOutPolicy(Kind.LIKELIHOOD_CONTRIBUTION, order, WARMUP));
    }

    /** Batch {@code step}: left half 0.1 plus dequantization noise, right half a random-amplitude wave plus noise. */
    private static INDArray batch(int step) {
        SplittableRandom rng = new SplittableRandom(100 + step);
        INDArray x = Nd4j.zeros(DataType.FLOAT, 16, 1, 8, 8);
        for (int n = 0; n < 16; n++) {
            double amplitude = rng.nextDouble(0.1, 0.4);
            for (int h = 0; h < 8; h++) {
                for (int w = 0; w < 8; w++) {
                    double noise = rng.nextDouble() / 256;
                    x.putScalar(new int[] {n, 0, h, w}, w < 4 ? 0.1 + noise : amplitude * Math.sin(h + w) + noise);
                }
            }
        }
        return x;
    }

    /** At level 0's squeezed shape [4, 4, 4], flat dimension (c, h, w) comes from image columns 2w and 2w + 1. */
    private static boolean constant(int dimension) {
        return dimension % 4 < 2;
    }

    @Test
    void rankingSeparatesConstantFromStructuredDimensionsAndFixesTheMaskAfterWarmup() {
        FlowModel model = FlowModel.build(spec(Order.HIGHEST), DataType.FLOAT, 1);
        FlowTrainer trainer = new FlowTrainer(model, new AdaMax(1e-3));
        boolean[] before = model.factorOutMasks().get(0).mask();
        for (int step = 1; step < WARMUP; step++) {
            trainer.step(batch(step), null);
        }
        assertArrayEquals(before, model.factorOutMasks().get(0).mask(), "the mask stays channels' during the warm-up");
        trainer.step(batch(WARMUP), null);

        double[] c = model.factorOutContributions(0);
        double lowestConstant = Double.POSITIVE_INFINITY;
        double highestStructured = Double.NEGATIVE_INFINITY;
        for (int d = 0; d < c.length; d++) {
            if (constant(d)) {
                lowestConstant = Math.min(lowestConstant, c[d]);
            } else {
                highestStructured = Math.max(highestStructured, c[d]);
            }
        }
        assertTrue(lowestConstant > highestStructured, "every constant dimension contributes more than every "
                + "structured one: " + lowestConstant + " vs " + highestStructured);
        boolean[] fixed = model.factorOutMasks().get(0).mask();
        for (int d = 0; d < fixed.length; d++) {
            assertEquals(constant(d), fixed[d], "highest: the constant dimensions leave first (dimension " + d + ")");
        }

        trainer.step(batch(WARMUP + 1), null);
        assertArrayEquals(fixed, model.factorOutMasks().get(0).mask(), "fixed after the warm-up");
        INDArray x = batch(9);
        double bitsPerDim = model.bitsPerDim(x, null).meanNumber().doubleValue();
        assertEquals(bitsPerDim, trainer.lossAndGradients(x, null).loss(), 1e-4, "training uses the fixed mask");
    }

    @Test
    void lowestOrderFactorsOutTheStructuredDimensions() {
        FlowModel model = FlowModel.build(spec(Order.LOWEST), DataType.FLOAT, 1);
        FlowTrainer trainer = new FlowTrainer(model, new AdaMax(1e-3));
        for (int step = 1; step <= WARMUP; step++) {
            trainer.step(batch(step), null);
        }
        boolean[] fixed = model.factorOutMasks().get(0).mask();
        for (int d = 0; d < fixed.length; d++) {
            assertEquals(!constant(d), fixed[d], "lowest: dimension " + d);
        }
    }

    @Test
    void aRunResumedMidWarmupEndsWithTheSameMask(@TempDir Path dir) throws Exception {
        FlowModel straight = FlowModel.build(spec(Order.HIGHEST), DataType.FLOAT, 1);
        FlowTrainer a = new FlowTrainer(straight, new AdaMax(1e-3));
        FlowModel interrupted = FlowModel.build(spec(Order.HIGHEST), DataType.FLOAT, 1);
        FlowTrainer b = new FlowTrainer(interrupted, new AdaMax(1e-3));
        Path file = dir.resolve("checkpoint.zip");
        for (int step = 1; step <= WARMUP + 1; step++) {
            a.step(batch(step), null);
            if (step <= 2) {
                b.step(batch(step), null);
            }
        }
        Checkpoint.save(file, b, null, Map.of());
        FlowModel resumed = FlowModel.build(spec(Order.HIGHEST), DataType.FLOAT, 1);
        resumed.markInitialised();
        FlowTrainer c = new FlowTrainer(resumed, new AdaMax(1e-3));
        Checkpoint.open(file).restoreInto(c, null);
        for (int step = 3; step <= WARMUP + 1; step++) {
            c.step(batch(step), null);
        }
        boolean[] mask = straight.factorOutMasks().get(0).mask();
        assertFalse(Arrays.equals(mask, FactorOutPolicy.CHANNELS.initialMask(new LatentShape(4, 4, 4), 1, 0)),
                "the warm-up changed the mask");
        assertArrayEquals(mask, resumed.factorOutMasks().get(0).mask(), "resumed mid-warm-up: same mask");
        assertArrayEquals(straight.factorOutContributions(0), resumed.factorOutContributions(0), 1e-9,
                "the accumulated contributions travel in the checkpoint");

        Path after = dir.resolve("after.zip");
        Checkpoint.save(after, c, null, Map.of());
        FlowModel reloaded = FlowModel.build(spec(Order.HIGHEST), DataType.FLOAT, 1);
        Checkpoint.open(after).restoreInto(new FlowTrainer(reloaded, new AdaMax(1e-3)), null);
        assertArrayEquals(mask, reloaded.factorOutMasks().get(0).mask(), "resumed after the warm-up: the fixed mask");
    }
}
