package io.flowbench.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowbench.flow.LatentShape;
import io.flowbench.model.FlowModel;
import io.flowbench.model.ModelSpec;
import io.flowbench.model.StepSpec;
import io.flowbench.verify.ModelVerifier;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.Sgd;

/** Gradient-norm clipping: what it scales and what it leaves alone (TrainerStateTest resumes runs with it on). */
class GradientClippingTest {
    private static final ModelSpec SPEC = new ModelSpec(new LatentShape(1, 4, 4), 2, 2, 8, 8, 0, true, false,
            new StepSpec.Glow(false));

    /** A model initialised on {@code x}, and its raw gradients there (copies) with their global norm. */
    private record Start(FlowModel model, Map<String, INDArray> gradients, double norm) { }

    private static Start start(INDArray x) {
        FlowModel model = FlowModel.build(SPEC, DataType.DOUBLE, 1);
        model.initialise(x, null);
        FlowTrainer probe = new FlowTrainer(model, new Sgd(0.0));
        Map<String, INDArray> gradients = new LinkedHashMap<>();
        probe.lossAndGradients(x, null).gradients().forEach((p, g) -> gradients.put(p, g.dup()));
        return new Start(model, gradients, globalNorm(gradients.values()));
    }

    /** Each parameter's change in one plain gradient step (SGD, lr 1): the gradient the update used. */
    private static Map<String, INDArray> stepDeltas(FlowModel model, double clipNorm, INDArray x, FlowTrainer[] out) {
        FlowTrainer trainer = new FlowTrainer(model, new Sgd(1.0), 0, clipNorm);
        Map<String, INDArray> before = new LinkedHashMap<>();
        for (String p : trainerParams(model)) {
            before.put(p, model.graph().getArrForVarName(p).dup());
        }
        trainer.step(x, null);
        out[0] = trainer;
        Map<String, INDArray> deltas = new LinkedHashMap<>();
        before.forEach((p, b) -> deltas.put(p, b.sub(model.graph().getArrForVarName(p))));
        return deltas;
    }

    /** The L2 norm of all {@code arrays} taken as one vector. */
    private static double globalNorm(Collection<INDArray> arrays) {
        double sumOfSquares = 0;
        for (INDArray a : arrays) {
            double norm = a.norm2Number().doubleValue();
            sumOfSquares += norm * norm;
        }
        return Math.sqrt(sumOfSquares);
    }

    private static List<String> trainerParams(FlowModel model) {
        return model.graph().variables().stream().filter(v -> v.getVariableType() == VariableType.VARIABLE)
                .map(SDVariable::name).toList();
    }

    @Test
    void aGradientAboveTheNormIsScaledDownToExactlyTheNormInItsOwnDirection() {
        INDArray x = ModelVerifier.randomInput(FlowModel.build(SPEC, DataType.DOUBLE, 1), 8, 5);
        Start s = start(x);
        double clip = s.norm() / 4;
        FlowTrainer[] trainer = new FlowTrainer[1];
        Map<String, INDArray> deltas = stepDeltas(s.model(), clip, x, trainer);
        assertEquals(s.norm(), trainer[0].gradientNorm(), 1e-12 * s.norm(), "the norm reported is the one before clipping");
        assertEquals(clip, globalNorm(deltas.values()), 1e-9 * clip, "the update's norm is the clip");
        s.gradients().forEach((p, g) -> assertTrue(deltas.get(p).equalsWithEps(g.mul(clip / s.norm()), 1e-12),
                p + ": every gradient scaled by the same factor"));
    }

    @Test
    void aGradientBelowTheNormIsLeftExactlyAsItIs() {
        INDArray x = ModelVerifier.randomInput(FlowModel.build(SPEC, DataType.DOUBLE, 1), 8, 5);
        Start clipped = start(x);
        FlowTrainer[] trainer = new FlowTrainer[1];
        Map<String, INDArray> withClip = stepDeltas(clipped.model(), clipped.norm() * 1.01, x, trainer);
        Map<String, INDArray> without = stepDeltas(start(x).model(), 0, x, trainer);
        without.forEach((p, d) -> assertEquals(d, withClip.get(p), p + ": bit-identical to no clipping"));
        assertEquals(clipped.norm(), trainer[0].gradientNorm(), 1e-12 * clipped.norm(), "logged without clipping too");
    }

    @Test
    void clippingLeavesTheGradientsThatChecksReadUnchanged() {
        INDArray x = ModelVerifier.randomInput(FlowModel.build(SPEC, DataType.DOUBLE, 1), 8, 5);
        Start s = start(x);
        FlowTrainer clipping = new FlowTrainer(s.model(), new Sgd(0.0), 0, s.norm() / 100);
        clipping.step(x, null); // clips this step's gradients (lr 0 leaves the weights)
        clipping.lossAndGradients(x, null).gradients().forEach((p, g) -> assertEquals(s.gradients().get(p), g,
                p + ": lossAndGradients (what the gradient check and verify read) is never clipped"));
        assertThrows(IllegalArgumentException.class, () -> new FlowTrainer(s.model(), new Sgd(0.0), 0, -1));
    }
}
