package io.flowbench.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.flowbench.flow.FactorOutPolicy;
import io.flowbench.flow.FactorOutPolicy.AfterWarmup;
import io.flowbench.flow.FactorOutPolicy.Kind;
import io.flowbench.flow.FactorOutPolicy.Order;
import io.flowbench.flow.LatentShape;
import io.flowbench.flow.resflow.GradientMode;
import io.flowbench.flow.resflow.Roulette;
import io.flowbench.model.FlowModel;
import io.flowbench.model.ModelSpec;
import io.flowbench.model.Preprocessing;
import io.flowbench.model.ResFlowStep;
import io.flowbench.model.StepSpec;
import io.flowbench.train.Checkpoint;
import io.flowbench.train.DecaySchedule;
import io.flowbench.train.FlowTrainer;
import io.flowbench.train.PolyakAverage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;

/**
 * {@code factor-out-after-warmup = restart}: once the likelihood-contribution mask is fixed, the model, its
 * optimiser (state and learning-rate schedule) and its Polyak average start over, so that what follows is
 * training from scratch with the mask the warm-up chose; and a run resumed from a checkpoint taken before,
 * at or after the restart continues bit for bit as one never interrupted.
 */
class FactorOutRestartTest {
    private static final LatentShape IMAGE = new LatentShape(1, 8, 8);
    private static final int WARMUP = 3;
    private static final int STEPS = WARMUP + 2;

    private static ModelSpec spec(StepSpec step) {
        return new ModelSpec(IMAGE, 2, 1, 8, 8, 0, true, false, step, true, Preprocessing.NONE,
                new FactorOutPolicy(Kind.LIKELIHOOD_CONTRIBUTION, Order.HIGHEST, WARMUP, AfterWarmup.RESTART));
    }

    /** A run's training: Adam with a decaying schedule and a learning-rate warm-up (both restart), clipping, EMA. */
    private static Training training(FlowModel model) {
        FlowTrainer trainer = new FlowTrainer(model, new Adam(new DecaySchedule(2e-3, 0.5, 2, 0, 2)), 0, 5);
        return new Training(null, model, trainer, new PolyakAverage(model, 0.9));
    }

    private static Training training(ModelSpec spec) {
        return training(FlowModel.build(spec, DataType.FLOAT, 7));
    }

    /** Batch {@code step}: 16 smooth 8x8 images of random amplitude plus noise, a function of the step only. */
    private static INDArray batch(long step) {
        SplittableRandom rng = new SplittableRandom(300 + step);
        double[] pixels = new double[16 * 64];
        double amplitude = 0;
        for (int i = 0; i < pixels.length; i++) {
            amplitude = i % 64 == 0 ? rng.nextDouble(0.1, 0.4) : amplitude;
            pixels[i] = amplitude * Math.sin(i / 8 % 8 + 0.5 * (i % 8)) + rng.nextDouble() / 64;
        }
        return Nd4j.create(pixels, new long[] {16, 1, 8, 8}, DataType.FLOAT);
    }

    /** Trains {@code training} from its current step to {@code steps}; returns the losses. */
    private static List<Double> trainTo(Training training, long steps) {
        List<Double> losses = new ArrayList<>();
        while (training.trainer().steps() < steps) {
            losses.add(training.step(batch(training.trainer().steps() + 1), null));
        }
        return losses;
    }

    /** Every parameter and constant of the model's graph, the optimiser state and the averages, by name. */
    private static Map<String, INDArray> state(Training t) {
        Map<String, INDArray> state = new TreeMap<>();
        for (SDVariable v : t.model().graph().variables()) {
            if (v.getVariableType() == VariableType.VARIABLE || v.getVariableType() == VariableType.CONSTANT) {
                state.put(v.name(), v.getArr().dup());
            }
        }
        t.trainer().optimizerState().forEach((p, s) -> s.forEach((k, a) -> state.put("optimizer/" + p + "#" + k, a.dup())));
        t.average().averages().forEach((p, a) -> state.put("average/" + p, a.dup()));
        return state;
    }

    private static void assertSameState(Map<String, INDArray> expected, Map<String, INDArray> actual, String what) {
        assertEquals(expected.keySet(), actual.keySet(), what);
        expected.forEach((name, a) -> assertEquals(a, actual.get(name), what + ": " + name));
    }

    @Test
    void afterTheWarmupTrainingStartsOverWithTheFixedMask() {
        Training straight = training(spec(new StepSpec.Glow(false)));
        boolean[] channels = straight.model().factorOutMasks().get(0).mask();
        trainTo(straight, WARMUP);
        FlowModel model = straight.model();
        boolean[] mask = model.factorOutMasks().get(0).mask();
        assertFalse(Arrays.equals(channels, mask), "the warm-up fixed another mask than channels'");
        assertEquals(WARMUP, model.restartedAfter(WARMUP));
        assertEquals(0, model.restartedAfter(WARMUP - 1));
        assertEquals(16.0 * WARMUP, model.graph().getArrForVarName("factor-out-contribution/count").getDouble(0), 0.0,
                "the sums that chose the mask are kept");

        // A new run of the model with that mask: built with the same seed, initialised on the warm-up's last batch.
        FlowModel fresh = FlowModel.build(model.spec(), DataType.FLOAT, 7);
        fresh.factorOutMasks().get(0).fix(mask);
        fresh.initialise(batch(WARMUP), null);
        for (SDVariable v : model.graph().variables()) {
            if (v.getVariableType() == VariableType.VARIABLE) {
                assertEquals(fresh.graph().getArrForVarName(v.name()), v.getArr(), "restarted parameter " + v.name());
                assertEquals(v.getArr(), straight.average().averages().get(v.name()), "the average restarts: " + v.name());
            }
        }
        straight.trainer().optimizerState().forEach((p, s) -> s.forEach((k, a) ->
                assertEquals(0.0, a.amaxNumber().doubleValue(), 0.0, "optimiser state " + p + "#" + k)));

        // What follows is training from scratch with the mask: schedule, bias correction and average from step 1.
        Training scratch = training(fresh);
        List<Double> fromScratch = new ArrayList<>();
        for (long step = WARMUP + 1; step <= STEPS; step++) {
            fromScratch.add(scratch.step(batch(step), null));
        }
        assertEquals(fromScratch, trainTo(straight, STEPS), "losses after the restart");
        Map<String, INDArray> expected = state(scratch);
        Map<String, INDArray> actual = state(straight);
        expected.keySet().removeIf(n -> n.startsWith("factor-out-contribution/"));
        actual.keySet().removeIf(n -> n.startsWith("factor-out-contribution/"));
        assertSameState(expected, actual, "from scratch vs restarted");
        assertArrayEquals(mask, model.factorOutMasks().get(0).mask(), "the mask stays fixed");
    }

    @Test
    void aRunResumedBeforeAtOrAfterTheRestartContinuesBitForBit(@TempDir Path dir) throws Exception {
        for (StepSpec step : List.of(new StepSpec.Glow(false),
                ResFlowStep.of(0.9, Roulette.POISSON, 1, 10, GradientMode.NEUMANN, true))) {
            Training straight = training(spec(step));
            List<Double> losses = trainTo(straight, STEPS);
            Map<String, INDArray> expected = state(straight);
            for (long stop = WARMUP - 1; stop <= WARMUP + 1; stop++) {
                String what = step.kind() + ", checkpoint at step " + stop;
                Training interrupted = training(spec(step));
                trainTo(interrupted, stop);
                Path file = dir.resolve(step.kind() + "-" + stop + ".zip");
                Checkpoint.save(file, interrupted.trainer(), interrupted.average(), Map.of());
                Training resumed = training(spec(step));
                Checkpoint.open(file).restoreInto(resumed.trainer(), resumed.average());
                assertEquals(losses.subList((int) stop, STEPS), trainTo(resumed, STEPS), what);
                assertSameState(expected, state(resumed), what);
            }
        }
    }
}
