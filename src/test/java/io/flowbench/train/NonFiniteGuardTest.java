package io.flowbench.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowbench.flow.LatentShape;
import io.flowbench.flow.resflow.GradientMode;
import io.flowbench.flow.resflow.Roulette;
import io.flowbench.model.FlowModel;
import io.flowbench.model.ModelSpec;
import io.flowbench.model.ResFlowStep;
import io.flowbench.model.StepSpec;
import io.flowbench.verify.ModelVerifier;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.AdaMax;

/** A NaN or infinite loss stops training at the step it appears, before any parameter changes. */
class NonFiniteGuardTest {

    private static Map<String, INDArray> snapshot(FlowModel model) {
        Map<String, INDArray> params = new HashMap<>();
        for (SDVariable v : model.graph().variables()) {
            if (v.getVariableType() == VariableType.VARIABLE || v.getVariableType() == VariableType.CONSTANT) {
                params.put(v.name(), v.getArr().dup());
            }
        }
        return params;
    }

    @ParameterizedTest
    @ValueSource(strings = {"glow", "resflow"})
    void nanInTheBatchStopsTrainingWithTheStepAndLeavesParametersUntouched(String kind) {
        StepSpec step = kind.equals("glow") ? new StepSpec.Glow(false)
                : ResFlowStep.of(0.98, Roulette.POISSON, 2, 20, GradientMode.NEUMANN, true);
        ModelSpec spec = new ModelSpec(new LatentShape(1, 4, 4), 1, 2, 8, 8, 0, true, false, step);
        FlowModel model = FlowModel.build(spec, DataType.FLOAT, 1);
        FlowTrainer trainer = new FlowTrainer(model, new AdaMax(1e-3));
        INDArray good = ModelVerifier.randomInput(model, 8, 2);
        for (int i = 0; i < 3; i++) {
            assertTrue(Double.isFinite(trainer.step(good, null)));
        }
        Map<String, INDArray> before = snapshot(model);
        INDArray bad = good.dup();
        bad.putScalar(new long[] {3, 0, 1, 2}, Double.NaN);

        NonFiniteLossException e = assertThrows(NonFiniteLossException.class, () -> trainer.step(bad, null));
        assertEquals(4, e.step());
        assertTrue(e.getMessage().contains("at step 4"), e.getMessage());
        assertEquals(3, trainer.steps(), "the failed step is not counted");
        assertEquals(before, snapshot(model), "parameters (and resflow's spectral-norm vectors) are those of the last good step");
    }

    @Test
    void infiniteInputIsCaughtToo() {
        ModelSpec spec = new ModelSpec(new LatentShape(1, 4, 4), 1, 1, 8, 8, 0, true, false, new StepSpec.Glow(true));
        FlowModel model = FlowModel.build(spec, DataType.FLOAT, 1);
        FlowTrainer trainer = new FlowTrainer(model, new AdaMax(1e-3));
        INDArray x = ModelVerifier.randomInput(model, 4, 2);
        trainer.step(x, null);
        INDArray bad = x.dup();
        bad.putScalar(0, Double.POSITIVE_INFINITY);
        assertEquals(2, assertThrows(NonFiniteLossException.class, () -> trainer.step(bad, null)).step());
    }
}
