package io.flowbench.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class DequantizerTest {

    @ParameterizedTest
    @ValueSource(ints = {1, 5, 8})
    void dequantizedValuesFallInTheirBinAndMapBack(int nBits) {
        Dequantizer d = new Dequantizer(nBits);
        INDArray pixels = Nd4j.arange(256).castTo(DataType.FLOAT).reshape(1, 1, 16, 16);
        INDArray y = d.dequantize(pixels, new SplittableRandom(3), DataType.DOUBLE);
        int bins = 1 << nBits;
        for (int v = 0; v < 256; v++) {
            int level = v >> (8 - nBits);
            double lo = level / (double) bins - 0.5;
            double value = y.getDouble(v);
            assertTrue(value >= lo && value < lo + 1.0 / bins, "pixel " + v + " -> " + value);
        }
        INDArray back = d.toPixels(y);
        for (int v = 0; v < 256; v++) {
            assertEquals((v >> (8 - nBits)) << (8 - nBits), back.getDouble(v), 0.0);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 9})
    void rejectsBitDepthsOutsideOneToEight(int nBits) {
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> new Dequantizer(nBits));
    }
}
