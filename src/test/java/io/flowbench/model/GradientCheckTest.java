package io.flowbench.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowbench.flow.LatentShape;
import io.flowbench.train.FlowTrainer;
import io.flowbench.verify.ModelVerifier;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.Sgd;

/**
 * Backpropagated gradients of the loss against central differences, in double precision, for every
 * parameter tensor (several elements of each), along both paths that compute them: SameDiff's
 * {@code calculateGradients}, and {@link FlowTrainer#lossAndGradients}, the backward graph as training
 * runs it (checked on its third call: a replay of the second, which ran on the first call's recycled arrays). GradCheckUtil of 1.0.0-M2.1 cannot be used here: it dereferences arrays of
 * placeholders, which graphs fed at execution time do not have.
 */
class GradientCheckTest {
    private static final double STEP = 1e-6;
    private static final double MAX_RELATIVE_ERROR = 1e-5;
    /** Above the central differences' rounding floor, 2.2e-16 * |loss| / STEP ~ 2e-9 for losses near 9 bits/dim. */
    private static final double MIN_ABSOLUTE_ERROR = 5e-9;
    private static final int ELEMENTS_PER_PARAMETER = 4;

    static Stream<Arguments> models() {
        return TinyModels.all(new LatentShape(1, 4, 4), 1, 4).entrySet().stream()
                .map(e -> Arguments.of(e.getKey(), e.getValue()));
    }

    /** Both analytic paths against one set of central differences, which cost most of the test's time. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void lossGradientsMatchFiniteDifferences(String name, ModelSpec spec) {
        FlowModel model = FlowModel.build(spec, DataType.DOUBLE, 5);
        ModelVerifier.perturbParameters(model, 0.1, 7);
        SameDiff sd = model.graph();
        INDArray x = ModelVerifier.randomInput(model, 3, 8);
        INDArray labels = ModelVerifier.labelsFor(model, 3);
        Map<String, INDArray> inputs = model.inputs(x, labels);
        List<String> params = new ArrayList<>();
        for (SDVariable v : sd.variables()) {
            if (v.getVariableType() == VariableType.VARIABLE) {
                params.add(v.name());
            }
        }
        Map<String, Map<Long, Double>> numeric = new HashMap<>();
        int checked = 0;
        for (String p : params) {
            INDArray value = sd.getArrForVarName(p);
            long stride = Math.max(1, value.length() / ELEMENTS_PER_PARAMETER);
            for (long i = 0; i < value.length(); i += stride) {
                double original = value.getDouble(i);
                value.putScalar(i, original + STEP);
                double plus = loss(sd, inputs);
                value.putScalar(i, original - STEP);
                double minus = loss(sd, inputs);
                value.putScalar(i, original);
                numeric.computeIfAbsent(p, k -> new HashMap<>()).put(i, (plus - minus) / (2 * STEP));
                checked++;
            }
        }
        assertTrue(checked >= params.size() && params.size() > 10, name + ": checked " + checked + " elements of " + params.size() + " parameters");
        assertMatches(name + ", calculateGradients", sd.calculateGradients(inputs, params), numeric);
        assertMatches(name + ", trainer with array cache", trainerGradients(model, x, labels, loss(sd, inputs)), numeric);
    }

    private static void assertMatches(String what, Map<String, INDArray> analytic, Map<String, Map<Long, Double>> numeric) {
        List<String> failures = new ArrayList<>();
        int checked = 0;
        for (var param : numeric.entrySet()) {
            INDArray grad = analytic.get(param.getKey());
            for (var element : param.getValue().entrySet()) {
                double a = grad.getDouble(element.getKey());
                double n = element.getValue();
                double abs = Math.abs(a - n);
                double rel = abs / Math.max(Math.abs(a) + Math.abs(n), 1e-300);
                if (rel > MAX_RELATIVE_ERROR && abs > MIN_ABSOLUTE_ERROR) {
                    failures.add(String.format("%s[%d]: analytic %.8e numeric %.8e", param.getKey(), element.getKey(), a, n));
                }
                checked++;
            }
        }
        assertTrue(failures.isEmpty(), what + ": " + failures.size() + " of " + checked + " gradients wrong: " + failures);
    }

    /**
     * The trainer's gradients on the third of three calls: the first fills the array cache, the second
     * runs on recycled arrays and is recorded, the third (and every later training step) is a replay of
     * that record (ReplayedExecution) for models whose log-det is deterministic. Its loss must be the
     * forward graph's.
     */
    private static Map<String, INDArray> trainerGradients(FlowModel model, INDArray x, INDArray labels, double loss) {
        FlowTrainer trainer = new FlowTrainer(model, new Sgd(0.0));
        trainer.lossAndGradients(x, labels);
        trainer.lossAndGradients(x, labels);
        FlowTrainer.LossAndGradients third = trainer.lossAndGradients(x, labels);
        assertEquals(loss, third.loss(), 1e-12, "the trainer's loss is the model's");
        Map<String, INDArray> copies = new HashMap<>();
        third.gradients().forEach((p, g) -> copies.put(p, g.dup()));
        return copies;
    }

    private static double loss(SameDiff sd, Map<String, INDArray> inputs) {
        return sd.output(inputs, FlowModel.LOSS).get(FlowModel.LOSS).getDouble(0);
    }
}
