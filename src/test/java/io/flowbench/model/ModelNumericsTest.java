package io.flowbench.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowbench.flow.FactorOutMask;
import io.flowbench.flow.FactorOutPolicy;
import io.flowbench.flow.LatentShape;
import io.flowbench.train.FlowTrainer;
import io.flowbench.verify.ModelVerifier;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.AdaMax;

/** Whole Glow and DLF models: exact inversion (also after training steps) and the total log-det. */
class ModelNumericsTest {
    private static final LatentShape INPUT = new LatentShape(1, 8, 8);

    static Stream<Arguments> models() {
        return TinyModels.all(INPUT, 2, 16).entrySet().stream().map(e -> Arguments.of(e.getKey(), e.getValue()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void decodeInvertsEncodeInFloat32AfterTraining(String name, ModelSpec spec) {
        FlowModel model = FlowModel.build(spec, DataType.FLOAT, 3);
        FlowTrainer trainer = new FlowTrainer(model, new AdaMax(3e-3));
        INDArray x = ModelVerifier.randomInput(model, 16, 5);
        INDArray labels = ModelVerifier.labelsFor(model, 16);
        double first = trainer.step(x, labels);
        double last = first;
        for (int i = 0; i < 7; i++) {
            last = trainer.step(x, labels);
        }
        assertTrue(last < first, name + ": 8 steps on one batch should lower its loss: " + first + " -> " + last);
        double err = ModelVerifier.reconstructionError(model, x, labels);
        assertTrue(err < 1e-4, name + ": float32 reconstruction error after training " + err);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void totalLogDetMatchesFiniteDifferenceJacobian(String name, ModelSpec spec) {
        FlowModel model = FlowModel.build(spec, DataType.DOUBLE, 3);
        ModelVerifier.perturbParameters(model, 0.05, 9);
        INDArray x = ModelVerifier.randomInput(model, 1, 4);
        double rel = ModelVerifier.logDetRelativeError(model, x, ModelVerifier.labelsFor(model, 1));
        assertTrue(rel < 1e-3, name + ": relative log-det error " + rel);
        assertTrue(ModelVerifier.reconstructionError(model, ModelVerifier.randomInput(model, 4, 6),
                ModelVerifier.labelsFor(model, 4)) < 1e-10, name + ": float64 reconstruction");
    }

    /** The likelihood-contribution mask once fixed (per pixel, other channels leave at other pixels): still exact. */
    @Test
    void aFixedPerPixelMaskKeepsTheModelExact() {
        FlowModel model = FlowModel.build(TinyModels.policy(INPUT, 2, 16, new StepSpec.Glow(false),
                FactorOutPolicy.Kind.LIKELIHOOD_CONTRIBUTION), DataType.DOUBLE, 3);
        FactorOutMask mask = model.factorOutMasks().get(0);
        boolean[] fixed = FactorOutPolicy.maskFrom(new SplittableRandom(5).doubles(mask.shape().size()).toArray(),
                FactorOutPolicy.Order.HIGHEST, mask.shape());
        mask.fix(fixed);
        assertArrayEquals(fixed, mask.mask());
        ModelVerifier.perturbParameters(model, 0.05, 9);
        INDArray x = ModelVerifier.randomInput(model, 1, 4);
        double rel = ModelVerifier.logDetRelativeError(model, x, null);
        assertTrue(rel < 1e-3, "relative log-det error " + rel);
        assertTrue(ModelVerifier.reconstructionError(model, ModelVerifier.randomInput(model, 4, 6), null) < 1e-10,
                "float64 reconstruction");
    }

    @Test
    void samplesAndInterpolationsHaveImageShapeAndAreReproducible() {
        FlowModel model = FlowModel.build(TinyModels.all(INPUT, 1, 8).get("dlf K=2"), DataType.FLOAT, 1);
        ModelVerifier.perturbParameters(model, 0.05, 2);
        INDArray a = model.sample(3, 0.7, 42, null);
        assertEquals(List.of(3L, 1L, 8L, 8L), List.of(a.size(0), a.size(1), a.size(2), a.size(3)));
        assertEquals(a, model.sample(3, 0.7, 42, null), "same seed, same samples");
        INDArray cold = model.sample(3, 0.0, 42, null);
        assertEquals(cold.slice(0), cold.slice(1), "temperature 0 gives the prior's mode for every sample");

        INDArray x = ModelVerifier.randomInput(model, 2, 8);
        INDArray a0 = x.slice(0).reshape(1, 1, 8, 8);
        INDArray b0 = x.slice(1).reshape(1, 1, 8, 8);
        INDArray path = model.interpolate(a0, b0, 5, null);
        assertEquals(5, path.size(0));
        assertTrue(path.slice(0).sub(x.slice(0)).amaxNumber().doubleValue() < 1e-4, "path starts at a");
        assertTrue(path.slice(4).sub(x.slice(1)).amaxNumber().doubleValue() < 1e-4, "path ends at b");
    }

    @Test
    void bitsPerDimFollowsTheDesignFormula() {
        ModelSpec spec = TinyModels.all(INPUT, 1, 8).get("glow");
        FlowModel model = FlowModel.build(spec, DataType.DOUBLE, 1);
        INDArray x = ModelVerifier.randomInput(model, 3, 1);
        INDArray logProb = model.logProb(x, null);
        INDArray bpd = model.bitsPerDim(x, null);
        for (int i = 0; i < 3; i++) {
            double expected = -logProb.getDouble(i) / (64 * Math.log(2)) + 8;
            assertEquals(expected, bpd.getDouble(i), 1e-9);
        }
    }

    /**
     * Glow on 1x8x8 with 2 levels of 1 step and width 8, counted by hand: level 0 works on 4x4x4 after the
     * squeeze, splits off 2 channels, level 1 works on 8x2x2, the top prior is learned.
     */
    @Test
    void parameterCountIsTheArchitecturesCount() {
        long level0 = actNorm(4) + invConv(4) + convNet(2, 8, 4) + splitPrior(2, 2);
        long level1 = actNorm(8) + invConv(8) + convNet(4, 8, 8);
        long top = 2 * 8 + 2; // mean and log-scale per channel, and the bounded log-scale's rescale and shift
        FlowModel glow = FlowModel.build(TinyModels.all(INPUT, 1, 8).get("glow"), DataType.FLOAT, 1);
        assertEquals(level0 + level1 + top, glow.parameterCount());
        assertEquals(glow.parameterCount(), FlowModel.build(glow.spec(), DataType.FLOAT, 2).parameterCount());
    }

    private static long actNorm(int c) {
        return 2L * c; // bias and log-scale per channel
    }

    private static long invConv(int c) {
        return 2L * c * c + c; // L and U stored as full matrices, log|diag U|
    }

    /** Conv 3x3 in -> h, conv 1x1 h -> h, conv 3x3 h -> out, each with a bias. */
    private static long convNet(int in, int h, int out) {
        return 9L * in * h + h + (long) h * h + h + 9L * h * out + out;
    }

    /** A conv 3x3 from the kept channels to mean and log-scale of the factored ones, and a bounded log-scale. */
    private static long splitPrior(int kept, int factored) {
        return 9L * kept * 2 * factored + 2L * factored + 2;
    }
}
