package io.flowbench.samediff;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.custom.Flatten;
import org.nd4j.linalg.factory.Nd4j;

class ConcatenatedRowsTest {

    /** Inputs of several shapes, one a transposed view (not row-major in memory), one a view from an offset. */
    private static INDArray[] inputs(DataType type) {
        Nd4j.getRandom().setSeed(7);
        return new INDArray[] {Nd4j.rand(type, 3, 4), Nd4j.rand(type, 5, 2).transpose(), Nd4j.rand(type, 2, 3, 2),
            NativeCalls.view(Nd4j.rand(type, 10), new long[] {4}, new long[] {1}, 6), Nd4j.rand(type, 1)};
    }

    @Test
    void aGraphsVectorHoldsWhatLibnd4jsFlattenGives() {
        for (DataType type : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            INDArray[] arrays = inputs(type);
            INDArray expected = Nd4j.exec(new Flatten('c', arrays))[0];
            SameDiff sd = SameDiff.create();
            SDVariable[] vars = new SDVariable[arrays.length];
            for (int i = 0; i < arrays.length; i++) {
                vars[i] = sd.var("v" + i, arrays[i]);
            }
            String vector = new ConcatenatedRows(sd, vars).outputVariable().name();
            INDArray actual = sd.output(java.util.Map.of(), vector).get(vector);
            assertArrayEquals(expected.data().asBytes(), actual.dup().data().asBytes(), type + ": bit for bit");
        }
    }

    @Test
    void itWritesFromTheOutputsOwnOffset() {
        INDArray[] arrays = inputs(DataType.FLOAT);
        INDArray expected = Nd4j.exec(new Flatten('c', arrays))[0];
        INDArray buffer = Nd4j.zeros(DataType.FLOAT, expected.length() + 5);
        INDArray vector = NativeCalls.view(buffer, new long[] {expected.length()}, new long[] {1}, 3);
        new ConcatenatedRows(SameDiff.create(), new SDVariable[0]).compute(arrays, new INDArray[] {vector});
        assertArrayEquals(expected.toFloatVector(), vector.toFloatVector(), 0f);
        float[] all = buffer.toFloatVector();
        assertArrayEquals(new float[] {0, 0, 0, 0, 0}, new float[] {all[0], all[1], all[2], all[all.length - 2], all[all.length - 1]}, 0f,
                "outside the vector");
    }

    @Test
    void inputsOfAnotherTypeAreRefused() {
        INDArray vector = Nd4j.create(DataType.FLOAT, 4);
        assertThrows(IllegalArgumentException.class, () -> new ConcatenatedRows(SameDiff.create(), new SDVariable[0])
                .compute(new INDArray[] {Nd4j.rand(DataType.DOUBLE, 4)}, new INDArray[] {vector}));
    }
}
