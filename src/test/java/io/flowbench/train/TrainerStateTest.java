package io.flowbench.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowbench.flow.LatentShape;
import io.flowbench.model.FlowModel;
import io.flowbench.model.ModelSpec;
import io.flowbench.model.StepSpec;
import io.flowbench.verify.ModelVerifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.AdaMax;
import org.nd4j.linalg.learning.config.Adam;

/** Learning-rate schedule, Polyak averaging, and checkpoints that resume a run bit for bit. */
class TrainerStateTest {
    private static final ModelSpec SPEC = new ModelSpec(new LatentShape(1, 4, 4), 2, 2, 8, 8, 0, true, false,
            new StepSpec.Glow(false));

    @TempDir
    Path dir;

    @Test
    void scheduleDecaysExponentiallyToItsFloorAfterWarmUp() {
        DecaySchedule s = new DecaySchedule(1e-3, 0.93, 1000, 1e-4, 10);
        assertEquals(1e-4, s.valueAt(0, 0), 1e-15, "first warm-up step is lr/10");
        assertEquals(1e-3 * Math.pow(0.93, 9 / 1000.0), s.valueAt(9, 0), 1e-15, "warm-up done after 10 steps");
        assertEquals(1e-3 * Math.pow(0.93, 2.5), s.valueAt(2500, 0), 1e-15);
        assertEquals(1e-4, s.valueAt(1_000_000, 0), 0.0, "never below the floor");
        assertThrows(IllegalArgumentException.class, () -> new DecaySchedule(1e-3, 1.5, 1000, 0, 0));
    }

    @Test
    void polyakAverageTracksWeightsAndIsSwappedInOnlyWhileAsked() {
        FlowModel model = FlowModel.build(SPEC, DataType.FLOAT, 1);
        FlowTrainer trainer = new FlowTrainer(model, new AdaMax(1e-2));
        INDArray x = ModelVerifier.randomInput(model, 8, 1);
        trainer.step(x, null);
        PolyakAverage ema = new PolyakAverage(model, 0.9);
        String name = ema.averages().keySet().iterator().next();
        INDArray before = model.graph().getArrForVarName(name).dup();
        trainer.step(x, null);
        ema.update();
        INDArray after = model.graph().getArrForVarName(name).dup();
        INDArray expected = before.mul(0.9).add(after.mul(0.1));
        assertTrue(ema.averages().get(name).equalsWithEps(expected, 1e-6));
        double rawLoss = model.bitsPerDim(x, null).meanNumber().doubleValue();
        double averagedLoss = ema.withAveragedWeights(() -> model.bitsPerDim(x, null).meanNumber().doubleValue());
        assertNotEquals(rawLoss, averagedLoss);
        assertEquals(after, model.graph().getArrForVarName(name), "raw weights are back afterwards");
    }

    /** The optimisers a resume must continue exactly: the reference's, and one with every trainer option on. */
    static Stream<Arguments> optimisers() {
        Function<FlowModel, FlowTrainer> adaMax = m -> new FlowTrainer(m, new AdaMax(new DecaySchedule(5e-3, 0.93, 1000, 1e-4, 3)));
        Function<FlowModel, FlowTrainer> clipped = m -> {
            Adam adam = new Adam(new DecaySchedule(5e-3, 0.93, 1000, 1e-4, 4));
            adam.setBeta2(0.99);
            return new FlowTrainer(m, adam, 0, 0.05);
        };
        return Stream.of(Arguments.of("adamax, 3 warm-up steps", adaMax, 0.0),
                Arguments.of("adam betas (0.9, 0.99), 4 warm-up steps, clipping at 0.05", clipped, 0.05));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("optimisers")
    void resumingFromACheckpointContinuesTheRunBitForBit(String name, Function<FlowModel, FlowTrainer> trainer, double clip)
            throws Exception {
        List<INDArray> batches = new ArrayList<>();
        FlowModel probe = FlowModel.build(SPEC, DataType.FLOAT, 1);
        for (int i = 0; i < 6; i++) {
            batches.add(ModelVerifier.randomInput(probe, 8, 100 + i));
        }
        List<Double> straight = new ArrayList<>();
        FlowModel a = FlowModel.build(SPEC, DataType.FLOAT, 1);
        FlowTrainer ta = trainer.apply(a);
        PolyakAverage emaA = new PolyakAverage(a, 0.99);
        for (INDArray b : batches) {
            straight.add(ta.step(b, null));
            emaA.update();
        }
        assertTrue(clip == 0 || ta.gradientNorm() > clip, "clipping was active: norm " + ta.gradientNorm());

        FlowModel b = FlowModel.build(SPEC, DataType.FLOAT, 1);
        FlowTrainer tb = trainer.apply(b);
        PolyakAverage emaB = new PolyakAverage(b, 0.99);
        for (int i = 0; i < 3; i++) {
            tb.step(batches.get(i), null);
            emaB.update();
        }
        Path file = dir.resolve("ckpt/last.zip");
        Checkpoint.save(file, tb, emaB, Map.of("data.position", "3"));
        assertTrue(Files.exists(file) && !Files.exists(file.resolveSibling("last.zip.tmp")));

        FlowModel c = FlowModel.build(SPEC, DataType.FLOAT, 42); // other initial weights: all must come from the file
        FlowTrainer tc = trainer.apply(c);
        PolyakAverage emaC = new PolyakAverage(c, 0.99);
        Checkpoint checkpoint = Checkpoint.open(file);
        checkpoint.restoreInto(tc, emaC);
        assertEquals("3", checkpoint.metadata().get("data.position"));
        assertEquals(3, tc.steps());
        assertTrue(c.isInitialised(), "restored ActNorm parameters must not be re-initialised from data");
        emaB.averages().forEach((k, v) -> assertEquals(v, emaC.averages().get(k), k));
        for (int i = 3; i < 6; i++) {
            assertEquals(straight.get(i), tc.step(batches.get(i), null), 0.0, "loss at step " + (i + 1));
            emaC.update();
        }
        emaA.averages().forEach((k, v) -> {
            assertEquals(a.graph().getArrForVarName(k), c.graph().getArrForVarName(k), k);
            assertEquals(v, emaC.averages().get(k), k + " (average)");
        });
    }

    @Test
    void checkpointOfAnotherArchitectureIsRejectedClearly() throws Exception {
        FlowModel small = FlowModel.build(SPEC, DataType.FLOAT, 1);
        FlowTrainer t = new FlowTrainer(small, new AdaMax(1e-3));
        t.step(ModelVerifier.randomInput(small, 4, 1), null);
        Path file = dir.resolve("small.zip");
        Checkpoint.save(file, t, null, Map.of());
        ModelSpec wider = new ModelSpec(SPEC.input(), 2, 2, 16, 8, 0, true, false, new StepSpec.Glow(false));
        FlowTrainer other = new FlowTrainer(FlowModel.build(wider, DataType.FLOAT, 1), new AdaMax(1e-3));
        Exception e = assertThrows(java.io.IOException.class, () -> Checkpoint.open(file).restoreInto(other, null));
        assertTrue(e.getMessage().contains("a different architecture"), e.getMessage());
    }

    @Test
    void l2PenaltyOnTheOneByOneConvolutionsEntersTheObjectiveOnly() {
        FlowModel model = FlowModel.build(SPEC, DataType.DOUBLE, 1);
        FlowTrainer trainer = new FlowTrainer(model, new AdaMax(1e-3), 0.5, 0);
        INDArray x = ModelVerifier.randomInput(model, 4, 3);
        Map<String, INDArray> out = model.graph().output(model.inputs(x, null), FlowModel.LOSS, FlowModel.OBJECTIVE);
        // At initialisation each W is a rotation, so ||W||_F^2 = C: levels of 4 and 8 channels, 2 steps each.
        double expected = 0.5 * (2 * 4 + 2 * 8);
        assertEquals(expected, out.get(FlowModel.OBJECTIVE).getDouble(0) - out.get(FlowModel.LOSS).getDouble(0), 1e-9);
        model.initialise(x, null);
        double bpd = model.bitsPerDim(x, null).meanNumber().doubleValue();
        assertEquals(bpd, trainer.step(x, null), 1e-9, "the step reports pure bits/dim, not the penalised objective");
        assertThrows(IllegalStateException.class, () -> model.addL2Penalty(0.1), "too late once training started");
    }
}
