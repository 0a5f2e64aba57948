package io.flowbench.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.flowbench.flow.LatentShape;
import io.flowbench.verify.ModelVerifier;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Each level's volume change, as evaluation logs it, adds up to the model's total log-det, example by example. */
class LevelVolumeTest {

    @Test
    void levelLogDetsSumToTheTotal() {
        for (Map.Entry<String, ModelSpec> e : TinyModels.all(new LatentShape(1, 8, 8), 2, 8).entrySet()) {
            FlowModel model = FlowModel.build(e.getValue(), DataType.DOUBLE, 3);
            INDArray x = Nd4j.rand(DataType.DOUBLE, 5, 1, 8, 8).subi(0.5);
            model.initialise(x, e.getValue().conditional() ? model.oneHot(new int[] {0, 1, 2, 0, 1}) : null);
            ModelVerifier.perturbParameters(model, 0.05, 4);
            INDArray labels = e.getValue().conditional() ? model.oneHot(new int[] {0, 1, 2, 0, 1}) : null;
            FlowModel.Densities d = model.densities(x, labels, 0);
            INDArray total = model.graph().output(model.inputs(x, labels), FlowModel.LOG_DET).get(FlowModel.LOG_DET);
            INDArray sum = d.levelLogDets().get(0).add(d.levelLogDets().get(1));
            for (int i = 0; i < 5; i++) {
                assertEquals(total.getDouble(i), sum.getDouble(i), 1e-9 * (1 + Math.abs(total.getDouble(i))), e.getKey());
            }
            // Both levels do something once the parameters moved: the split is not all in one level.
            assertNotEquals(0.0, d.levelLogDets().get(1).getDouble(0), e.getKey());
            assertEquals(model.bitsPerDim(x, labels).getDouble(0), d.bitsPerDim().getDouble(0), 1e-12, e.getKey());
        }
    }
}
