package io.flowbench.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.flowbench.flow.LatentShape;
import io.flowbench.samediff.GradientFunction;
import io.flowbench.samediff.ReplayedExecution;
import io.flowbench.train.FlowTrainer;
import io.flowbench.verify.ModelVerifier;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.Adam;

/** A replayed execution of the backward graph computes the session's bits, and records again when it must. */
class ReplayedExecutionTest {
    static Stream<Arguments> models() {
        return TinyModels.all(new LatentShape(1, 8, 8), 2, 16).entrySet().stream().map(e -> Arguments.of(e.getKey(), e.getValue()));
    }

    /** Bit for bit ({@code assertEquals} on arrays allows a tolerance). */
    private static void assertSameBits(INDArray expected, INDArray actual, String message) {
        assertArrayEquals(expected.dup('c').data().asBytes(), actual.dup('c').data().asBytes(), message);
        assertArrayEquals(expected.shape(), actual.shape(), message);
    }

    private static Map<String, INDArray> copies(Map<String, INDArray> arrays) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        arrays.forEach((name, a) -> out.put(name, a.dup()));
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void replaysGiveTheSessionsBitsAndRecordAgainWhenAnArrayOrShapeChanges(String kind, ModelSpec spec) {
        FlowModel model = FlowModel.build(spec, DataType.FLOAT, 1);
        model.initialise(ModelVerifier.randomInput(model, 8, 1), ModelVerifier.labelsFor(model, 8));
        new FlowTrainer(model, new Adam(1e-3)); // builds the backward graph
        SameDiff sd = model.graph();
        String[] outputs = Stream.concat(Stream.of(FlowModel.LOSS), sd.variables().stream()
                .filter(v -> v.getVariableType() == VariableType.VARIABLE && v.getGradient() != null).map(v -> v.getGradient().name())).toArray(String[]::new);
        ReplayedExecution replayed = ReplayedExecution.ofBackward(sd, outputs);
        Map<String, INDArray> recorded = null;
        Map<String, INDArray> recordedCopy = null;
        for (int call = 0; call < 6; call++) {
            if (call == 4) {
                // A parameter's array replaced (not assigned) in the backward graph: a record reading the old one is stale.
                String name = sd.variables().stream().filter(v -> v.getVariableType() == VariableType.VARIABLE && v.getGradient() != null).findFirst().orElseThrow().name();
                SameDiff backward = sd.getFunction("grad");
                backward.setArrayForVariable(name, backward.getArrForVarName(name).mul(1.5));
            }
            int batch = call == 5 ? 4 : 8;
            Map<String, INDArray> inputs = model.trainingInputs(ModelVerifier.randomInput(model, batch, 10 + call),
                    ModelVerifier.labelsFor(model, batch), call);
            Map<String, INDArray> got = copies(replayed.execute(inputs));
            if (call == 0) {
                recorded = replayed.execute(inputs); // the same shapes again: recorded
                recordedCopy = copies(recorded);
                for (String name : outputs) {
                    assertSameBits(got.get(name), recordedCopy.get(name), kind + ": " + name + ", the recorded execution");
                }
            }
            Map<String, INDArray> expected = GradientFunction.execute(sd, inputs, outputs);
            for (String name : outputs) {
                assertSameBits(expected.get(name), got.get(name), kind + ": " + name + " at call " + call);
            }
        }
        // Call 0 runs in the session, then is recorded; 1-3 replay; 4 records again (the new array);
        // 5 has a new batch size and runs in the session.
        assertEquals(3, replayed.replays(), kind + ": replays");
        for (String name : outputs) {
            assertSameBits(recordedCopy.get(name), recorded.get(name), name + ": returned by one execution, kept through the later ones");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void evaluationAndSamplingReplayedGiveTheSessionsBits(String kind, ModelSpec spec) {
        FlowModel model = FlowModel.build(spec, DataType.FLOAT, 1);
        INDArray labels = ModelVerifier.labelsFor(model, 6);
        model.initialise(ModelVerifier.randomInput(model, 6, 1), labels);
        for (int call = 0; call < 5; call++) {
            INDArray x = ModelVerifier.randomInput(model, 6, 20 + call);
            Map<String, INDArray> in = new LinkedHashMap<>();
            in.put(FlowModel.INPUT, x);
            if (labels != null) {
                in.put(FlowModel.LABEL, labels);
            }
            assertSameBits(model.graph().output(in, FlowModel.BITS_PER_DIM).get(FlowModel.BITS_PER_DIM),
                    model.bitsPerDim(x, labels), kind + ": bits/dim at call " + call);
            INDArray sample = model.sample(6, 0.7, call, labels);
            assertSameBits(sample, model.sample(6, 0.7, call, labels), kind + ": the same draws decode the same");
            assertNotEquals(sample, model.sample(6, 0.7, call + 100, labels), kind + ": other draws decode otherwise");
        }
    }
}
