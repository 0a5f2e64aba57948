package io.flowbench.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowbench.flow.LatentShape;
import io.flowbench.flow.resflow.GradientMode;
import io.flowbench.flow.resflow.Roulette;
import io.flowbench.flow.resflow.SeriesOptions;
import io.flowbench.train.Checkpoint;
import io.flowbench.train.FlowTrainer;
import io.flowbench.train.PolyakAverage;
import io.flowbench.verify.ModelVerifier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.Adam;

/** {@code kind = resflow} as a whole model: training, inversion, series growth, evaluation graph, exact resume. */
class ResFlowModelTest {
    private static final LatentShape INPUT = new LatentShape(1, 4, 4);

    @TempDir
    Path dir;

    private static ModelSpec spec(ResFlowStep step) {
        return new ModelSpec(INPUT, 2, 2, 8, 8, 0, true, false, step, false, Preprocessing.NONE);
    }

    private static ResFlowStep step(GradientMode gradient) {
        return step(gradient, 0);
    }

    /** With {@code fcEnd} fully connected blocks (width 12) on the flattened top latent. */
    private static ResFlowStep step(GradientMode gradient, int fcEnd) {
        return ResFlowStep.of(0.98, Roulette.POISSON, 2, 20, gradient, true, fcEnd, 12);
    }

    private static List<INDArray> batches(FlowModel model, int n) {
        List<INDArray> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(ModelVerifier.randomInput(model, 8, 100 + i));
        }
        return out;
    }

    /** Every parameter and constant (spectral-norm u, v included) by name. */
    private static Map<String, INDArray> state(FlowModel model) {
        Map<String, INDArray> s = new LinkedHashMap<>();
        for (SDVariable v : model.graph().variables()) {
            if (v.getVariableType() == VariableType.VARIABLE || v.getVariableType() == VariableType.CONSTANT) {
                s.put(v.name(), v.getArr().dup());
            }
        }
        return s;
    }

    @ParameterizedTest
    @CsvSource({"NEUMANN, 0", "BACKPROP_SERIES, 0", "NEUMANN, 2", "BACKPROP_SERIES, 2"})
    void afterTrainingStepsTheModelStillInvertsAndLearns(GradientMode gradient, int fcEnd) {
        FlowModel model = FlowModel.build(spec(step(gradient, fcEnd)), DataType.FLOAT, 3);
        FlowTrainer trainer = new FlowTrainer(model, new Adam(1e-3));
        List<INDArray> data = batches(model, 4);
        double first = trainer.step(data.get(0), null);
        for (int i = 1; i < 4; i++) {
            trainer.step(data.get(i), null);
        }
        assertTrue(Double.isFinite(first));
        INDArray x = ModelVerifier.randomInput(model, 8, 7);
        double error = ModelVerifier.reconstructionError(model, x, null);
        assertTrue(error < 1e-4, "max |decode(encode(x)) - x| = " + error);
        double evalError = ModelVerifier.reconstructionError(model.forEvaluation(), x, null);
        assertTrue(evalError < 1e-4, "evaluation graph: " + evalError);
    }

    @Test
    void aDrawBeyondTheGraphsSeriesRebuildsItCarryingParametersAndOptimiserState() {
        // No headroom at all: the first roulette draw above 0 needs a larger graph.
        ResFlowStep tight = new ResFlowStep(0.98, new SeriesOptions(Roulette.POISSON, 2, 2, GradientMode.NEUMANN), 20, true);
        ResFlowStep roomy = new ResFlowStep(0.98, new SeriesOptions(Roulette.POISSON, 2, 40, GradientMode.NEUMANN), 20, true);
        FlowModel grown = FlowModel.build(spec(tight), DataType.FLOAT, 3);
        FlowModel reference = FlowModel.build(spec(roomy), DataType.FLOAT, 3);
        FlowTrainer a = new FlowTrainer(grown, new Adam(1e-2));
        FlowTrainer b = new FlowTrainer(reference, new Adam(1e-2));
        for (INDArray x : batches(grown, 5)) {
            assertEquals(b.step(x, null), a.step(x, null), 1e-5, "the same estimate, whatever the graph holds");
        }
        assertTrue(grown.generation() > 0, "the tight graph was rebuilt");
        assertEquals(reference.spec().step().describe(), grown.spec().step().describe());
        Map<String, INDArray> expected = state(reference);
        state(grown).forEach((name, value) ->
                assertTrue(value.equalsWithEps(expected.get(name), 1e-4), name + " follows the same trajectory"));
        a.optimizerState().forEach((name, s) -> s.forEach((k, v) ->
                assertTrue(v.equalsWithEps(b.optimizerState().get(name).get(k), 1e-4), name + " " + k)));
    }

    @Test
    void evaluationUsesItsOwnGraphAndLeavesTheTrainingStateAlone() {
        FlowModel model = FlowModel.build(spec(step(GradientMode.BACKPROP_SERIES)), DataType.FLOAT, 3);
        FlowTrainer trainer = new FlowTrainer(model, new Adam(1e-2));
        PolyakAverage ema = new PolyakAverage(model, 0.5);
        for (INDArray x : batches(model, 3)) {
            trainer.step(x, null);
            ema.update();
        }
        Map<String, INDArray> before = state(model);
        FlowModel eval = ema.withAveragedWeights(model::forEvaluation);
        assertNotEquals(model, eval);
        assertEquals(20, ((ResFlowStep) eval.spec().step()).series().nExact());
        assertEquals(before, state(model), "the training graph's weights and spectral-norm vectors are untouched");
        INDArray x = ModelVerifier.randomInput(model, 4, 9);
        FlowModel.Densities d1 = eval.densities(x, null, 5);
        FlowModel.Densities d2 = eval.densities(x, null, 5);
        assertEquals(d1.bitsPerDim(), d2.bitsPerDim(), "the same key draws the same estimate");
        assertNotEquals(d1.bitsPerDim(), eval.densities(x, null, 6).bitsPerDim(), "another key draws another");
    }

    @ParameterizedTest(name = "{0} fc-end blocks")
    @ValueSource(ints = {0, 2})
    void resumingFromACheckpointIsBitIdenticalIncludingSpectralNormsAndTheEstimatorStream(int fcEnd) throws Exception {
        ModelSpec spec = spec(step(GradientMode.NEUMANN, fcEnd));
        FlowModel a = FlowModel.build(spec, DataType.FLOAT, 3);
        List<INDArray> data = batches(a, 6);
        FlowTrainer ta = new FlowTrainer(a, new Adam(1e-2));
        List<Double> straight = new ArrayList<>();
        for (INDArray x : data) {
            straight.add(ta.step(x, null));
        }

        FlowModel b = FlowModel.build(spec, DataType.FLOAT, 3);
        FlowTrainer tb = new FlowTrainer(b, new Adam(1e-2));
        for (int i = 0; i < 3; i++) {
            tb.step(data.get(i), null);
        }
        Path file = dir.resolve("ckpt.zip");
        Checkpoint.save(file, tb, null, Map.of());
        FlowModel c = FlowModel.build(spec, DataType.FLOAT, 3);
        FlowTrainer tc = new FlowTrainer(c, new Adam(1e-2));
        Checkpoint.open(file).restoreInto(tc, null);
        List<Double> resumed = new ArrayList<>();
        for (int i = 3; i < 6; i++) {
            resumed.add(tc.step(data.get(i), null));
        }
        assertEquals(straight.subList(3, 6), resumed, "the loss curve continues exactly");
        Map<String, INDArray> expected = state(a);
        state(c).forEach((name, value) -> assertArrayEquals(expected.get(name).data().asDouble(), value.data().asDouble(),
                0.0, name));
    }
}
