package io.flowbench.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowbench.flow.DynamicLinear;
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
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.AdaMax;

/**
 * The likelihood-contribution policy on images where, at every pixel of level 0 (a 2x2 block of the
 * image), two of the four channels are constant (only dequantization noise) and two carry structure,
 * which two alternating from pixel to pixel: the ranking separates the two kinds, the per-pixel mask
 * factors out the constant ones, it is fixed after the warm-up, training uses it, and a run resumed
 * mid-warm-up ends with the same mask.
 */
class LikelihoodContributionTest {
    private static final LatentShape IMAGE = new LatentShape(1, 8, 8);
    private static final int WARMUP = 4;

    private static ModelSpec spec(Order order) {
        return spec(new StepSpec.Glow(false), Preprocessing.NONE, order);
    }

    private static ModelSpec spec(StepSpec step, Preprocessing preprocessing, Order order) {
        return new ModelSpec(IMAGE, 2, 1, 8, 8, 0, true, false, step, true, preprocessing,
                new FactorOutPolicy(Kind.LIKELIHOOD_CONTRIBUTION, order, WARMUP));
    }

    /**
     * Sets every 1x1 convolution to the identity. Glow starts them at a random rotation, which mixes
     * the constant and the structured channels of each pixel before the split point, so that no
     * ranking could tell them apart per channel (docs/factor-out.md).
     */
    private static FlowModel unmixed(FlowModel model) {
        for (SDVariable v : model.graph().variables()) {
            String name = v.name();
            if (!name.contains("/invconv/") || (v.getVariableType() != VariableType.VARIABLE
                    && v.getVariableType() != VariableType.CONSTANT)) {
                continue;
            }
            switch (name.substring(name.lastIndexOf('/') + 1)) {
                case "perm" -> v.getArr().assign(Nd4j.eye(v.getArr().size(0)));
                case "sign" -> v.getArr().assign(1);
                case "lower", "upper", "logs" -> v.getArr().assign(0);
                default -> { }
            }
        }
        return model;
    }

    /**
     * Batch {@code step}: image pixel (row, column) is 0.1 plus dequantization noise when column % 2
     * equals (row / 2 + column / 2) % 2 (see {@link #constant}), else a random-amplitude wave plus noise.
     */
    private static INDArray batch(int step) {
        SplittableRandom rng = new SplittableRandom(100 + step);
        INDArray x = Nd4j.zeros(DataType.FLOAT, 16, 1, 8, 8);
        for (int n = 0; n < 16; n++) {
            double amplitude = rng.nextDouble(0.1, 0.4);
            for (int h = 0; h < 8; h++) {
                for (int w = 0; w < 8; w++) {
                    double noise = rng.nextDouble() / 256;
                    x.putScalar(new int[] {n, 0, h, w}, w % 2 == (h / 2 + w / 2) % 2 ? 0.1 + noise : amplitude * Math.sin(h + w) + noise);
                }
            }
        }
        return x;
    }

    /**
     * Whether a dimension is constant in {@link #batch}: at level 0's squeezed shape [4, 4, 4], flat
     * dimension 16c + 4h + w holds image pixel (2h + c / 2, 2w + c % 2) (the squeeze's channel 2i + j
     * holds block pixel (i, j)), so channels 0 and 2 are constant where h + w is even, 1 and 3 elsewhere.
     */
    private static boolean constant(int dimension) {
        return dimension / 16 % 2 == (dimension / 4 % 4 + dimension % 4) % 2;
    }

    /** Whether a dimension comes from the image's left half (columns 0 to 3: w < 2 at level 0). */
    private static boolean leftHalf(int dimension) {
        return dimension % 4 < 2;
    }

    @Test
    void rankingSeparatesConstantFromStructuredDimensionsAndFixesTheMaskAfterWarmup() {
        FlowModel model = unmixed(FlowModel.build(spec(Order.HIGHEST), DataType.FLOAT, 1));
        FlowTrainer trainer = new FlowTrainer(model, new AdaMax(1e-3));
        boolean[] before = model.factorOutMasks().get(0).mask();
        for (int step = 1; step < WARMUP; step++) {
            trainer.step(batch(step), null);
        }
        assertArrayEquals(before, model.factorOutMasks().get(0).mask(), "the mask stays channels' during the warm-up");
        trainer.step(batch(WARMUP), null);

        double[] c = model.factorOutContribution(0).total();
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
        FlowModel model = unmixed(FlowModel.build(spec(Order.LOWEST), DataType.FLOAT, 1));
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
        assertArrayEquals(straight.factorOutContribution(0).total(), resumed.factorOutContribution(0).total(), 1e-9,
                "the accumulated contributions travel in the checkpoint");

        Path after = dir.resolve("after.zip");
        Checkpoint.save(after, c, null, Map.of());
        FlowModel reloaded = FlowModel.build(spec(Order.HIGHEST), DataType.FLOAT, 1);
        Checkpoint.open(after).restoreInto(new FlowTrainer(reloaded, new AdaMax(1e-3)), null);
        assertArrayEquals(mask, reloaded.factorOutMasks().get(0).mask(), "resumed after the warm-up: the fixed mask");
    }

    /** The log-det shares at the split point account for the whole log-det upstream of it, per example. */
    @Test
    void sharesAtTheSplitPointSumToTheLogDetUpstream() {
        StepSpec dlf = new StepSpec.Dlf(new DynamicLinear.Options(2, DynamicLinear.Form.NON_INVERSE,
                DynamicLinear.Partition.EQUAL, DynamicLinear.FirstPart.LEARNED, 1, 0));
        for (StepSpec step : new StepSpec[] {new StepSpec.Glow(false), dlf}) {
            FlowModel model = FlowModel.build(spec(step, Preprocessing.logit(1e-6), Order.HIGHEST), DataType.DOUBLE, 1);
            INDArray x = batch(1).castTo(DataType.DOUBLE);
            model.initialise(x, null);
            FlowTrainer trainer = new FlowTrainer(model, new AdaMax(1e-2));
            trainer.step(x, null);
            String shares = model.factorOutMasks().get(0).inputShares().name();
            Map<String, INDArray> out = model.graph().output(model.inputs(batch(2), null), shares, FlowModel.levelLogDetName(0));
            INDArray perExample = out.get(shares).reshape(16, -1).sum(1);
            INDArray logDet = out.get(FlowModel.levelLogDetName(0));
            for (int n = 0; n < 16; n++) {
                assertEquals(logDet.getDouble(n), perExample.getDouble(n), 1e-9 * Math.abs(logDet.getDouble(n)),
                        step.kind() + ", example " + n);
            }
        }
    }

    /**
     * Left half of the image mid-range (0.5 +- 0.02 after the shift to [0, 1)), right half four times
     * narrower but near 0 (0.015 to 0.025), where the logit pre-processing stretches values about 13
     * times more. At the split point the right half is the wider, so the fitted Gaussians alone rank
     * the left half higher; its larger log-det share puts the right half first, as the data-space
     * densities (the right half is the narrower) say it should be. (The halves are whole pixels of
     * level 0, so the per-pixel mask, which factors out half of every pixel, cannot follow this ranking;
     * the test is about the ranking.)
     */
    @Test
    void theLogDetShareRanksDimensionsByTheirDensityInDataSpace() {
        FlowModel model = FlowModel.build(spec(new StepSpec.Glow(false), Preprocessing.logit(1e-6), Order.HIGHEST),
                DataType.FLOAT, 1);
        FlowTrainer trainer = new FlowTrainer(model, new AdaMax(1e-3));
        for (int step = 1; step <= WARMUP; step++) {
            SplittableRandom rng = new SplittableRandom(200 + step);
            INDArray x = Nd4j.zeros(DataType.FLOAT, 16, 1, 8, 8);
            for (long i = 0; i < x.length(); i++) {
                boolean left = i % 8 < 4;
                x.putScalar(i, left ? rng.nextDouble(-0.02, 0.02) : rng.nextDouble(0.015, 0.025) - 0.5);
            }
            trainer.step(x, null);
        }
        LikelihoodContribution.Contribution c = model.factorOutContribution(0);
        double[] total = c.total();
        for (int d = 0; d < total.length; d++) {
            for (int e = 0; e < total.length; e++) {
                if (leftHalf(d) && !leftHalf(e)) {
                    assertTrue(c.density()[d] > c.density()[e], "fitted Gaussians alone: left " + d + " above right " + e);
                    assertTrue(total[e] > total[d], "with the shares: right " + e + " above left " + d);
                }
            }
        }
    }
}
