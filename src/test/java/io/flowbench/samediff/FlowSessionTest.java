package io.flowbench.samediff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowbench.flow.LatentShape;
import io.flowbench.model.FlowModel;
import io.flowbench.model.ModelSpec;
import io.flowbench.model.StepSpec;
import io.flowbench.train.FlowTrainer;
import io.flowbench.verify.ModelVerifier;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.LongShapeDescriptor;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;

/** The test suite runs graphs with the session the application installs (through {@link SameDiffSetup}). */
class FlowSessionTest {
    private static final ModelSpec GLOW = new ModelSpec(new LatentShape(1, 4, 4), 2, 2, 8, 8, 0, true, false,
            new StepSpec.Glow(false));

    @Test
    void everySessionIsAFlowSession() {
        assertInstanceOf(FlowSession.class, SameDiff.getInferenceFactory().create(SameDiff.create()));
    }

    /** What the training session holds after each of a run's steps (released ids, cached arrays). */
    private record Held(int ids, int arrays) { }

    /** Training steps' executions of the backward graph, each in the session (the trainer would replay them). */
    private static Held[] train(int steps) {
        FlowModel model = FlowModel.build(GLOW, DataType.FLOAT, 1);
        INDArray x = ModelVerifier.randomInput(model, 8, 3);
        model.initialise(x, null);
        new FlowTrainer(model, new Adam(1e-3));
        String[] outputs = model.graph().variables().stream().filter(v -> v.getVariableType() == VariableType.VARIABLE && v.getGradient() != null)
                .map(v -> v.getGradient().name()).toArray(String[]::new);
        Held[] held = new Held[steps];
        for (int s = 0; s < steps; s++) {
            GradientFunction.execute(model.graph(), model.trainingInputs(x, null, s + 1), outputs);
            FlowSession flow = (FlowSession) model.graph().getFunction("grad").getSessions().values().iterator().next();
            held[s] = new Held(flow.releasedIdsHeld(), flow.cachedArrays());
        }
        return held;
    }

    @Test
    void whatTheSessionHoldsDoesNotGrowWithTheSteps() {
        Held[] held = train(40);
        // Without the bounds, step 40 holds about 40x the ids of step 1 and a few more cached arrays per step.
        assertEquals(held[9], held[39], "step 10 against step 40");
        assertTrue(held[39].ids() > 0 && held[39].arrays() > 0, "the cache is still used: " + held[39]);
    }

    @Test
    void anArrayTheCacheHandsOutAgainSharesItsIdWithNoNewArray() {
        BoundedArrayCache cache = new BoundedArrayCache();
        INDArray first = cache.allocate(false, DataType.FLOAT, 2, 3);
        cache.release(first);
        INDArray again = cache.allocate(false, DataType.FLOAT, 2, 3);
        assertSame(first, again, "handed out again from the cache");
        assertNotEquals(again.getId(), Nd4j.create(DataType.FLOAT, 2, 3).getId(), "the next new array's id");
        cache.release(again);
        INDArray byDescriptor = cache.allocate(false, LongShapeDescriptor.fromShape(new long[] {2, 3}, DataType.FLOAT));
        assertSame(first, byDescriptor, "handed out again, asked for by descriptor");
        assertNotEquals(byDescriptor.getId(), Nd4j.create(DataType.FLOAT, 2, 3).getId(), "the next new array's id");
    }

    /** The session now releases every array it is done with: none of them may be one the caller was given. */
    @Test
    void gradientsReturnedByOneExecutionSurviveTheNext() {
        FlowModel model = FlowModel.build(GLOW, DataType.FLOAT, 1);
        INDArray x = ModelVerifier.randomInput(model, 8, 3);
        FlowTrainer trainer = new FlowTrainer(model, new Adam(1e-3));
        trainer.step(x, null);
        Map<String, INDArray> gradients = trainer.lossAndGradients(x, null).gradients();
        Map<String, INDArray> copies = new HashMap<>();
        gradients.forEach((name, g) -> copies.put(name, g.dup()));
        trainer.step(x, null);
        trainer.step(ModelVerifier.randomInput(model, 8, 4), null);
        gradients.forEach((name, g) -> assertEquals(copies.get(name), g, name + "'s gradient changed"));
    }
}
