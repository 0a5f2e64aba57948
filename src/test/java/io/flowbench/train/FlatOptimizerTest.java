package io.flowbench.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.AdaMax;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;

/** One updater over the gradients laid end to end computes, bit for bit, what one updater per parameter does. */
class FlatOptimizerTest {
    private static final Map<String, long[]> SHAPES = new LinkedHashMap<>();

    static {
        SHAPES.put("conv/W", new long[] {3, 3, 2, 5});
        SHAPES.put("conv/b", new long[] {5});
        SHAPES.put("actnorm/logs", new long[] {1, 4, 1, 1});
        SHAPES.put("scalar", new long[] {1});
    }

    private static IUpdater updater(String name) {
        return name.equals("adam") ? new Adam(3e-3) : new AdaMax(3e-3);
    }

    /** Bit for bit ({@code assertEquals} on arrays allows a tolerance). */
    private static void assertSameBits(INDArray expected, INDArray actual, String message) {
        assertArrayEquals(expected.shape(), actual.shape(), message);
        assertArrayEquals(expected.dup('c').data().asBytes(), actual.dup('c').data().asBytes(), message);
    }

    @ParameterizedTest
    @ValueSource(strings = {"adam", "adamax"})
    void updatesAndStateMatchOneUpdaterPerParameter(String kind) {
        IUpdater config = updater(kind);
        FlatOptimizer flat = new FlatOptimizer(config, SHAPES, DataType.FLOAT);
        Map<String, GradientUpdater<?>> each = new LinkedHashMap<>();
        SHAPES.forEach((name, shape) -> {
            long n = Nd4j.create(DataType.FLOAT, shape).length();
            each.put(name, config.instantiate(Nd4j.zeros(DataType.FLOAT, 1, config.stateSize(n)), true));
        });
        Nd4j.getRandom().setSeed(7);
        for (int iteration = 0; iteration < 5; iteration++) {
            INDArray vector = Nd4j.randn(DataType.FLOAT, flat.length());
            Map<String, INDArray> separate = new LinkedHashMap<>();
            for (FlatOptimizer.Slot slot : flat.slots()) {
                INDArray g = FlatOptimizer.view(vector, slot).dup();
                each.get(slot.name()).applyUpdater(g, iteration, 0);
                separate.put(slot.name(), g);
            }
            flat.toUpdate(vector, iteration);
            for (FlatOptimizer.Slot slot : flat.slots()) {
                assertSameBits(separate.get(slot.name()), FlatOptimizer.view(vector, slot), slot.name() + " at iteration " + iteration);
            }
        }
        SHAPES.keySet().forEach(name -> {
            Map<String, INDArray> expected = each.get(name).getState();
            Map<String, INDArray> actual = flat.state(name);
            assertEquals(expected.keySet(), actual.keySet(), name + ": the keys a checkpoint holds");
            expected.forEach((key, e) -> {
                assertSameBits(e, actual.get(key), name + "#" + key);
            });
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"adam", "adamax"})
    void stateViewsWriteThroughAndZeroTogether(String kind) {
        FlatOptimizer flat = new FlatOptimizer(updater(kind), SHAPES, DataType.FLOAT);
        flat.state("conv/b").values().forEach(v -> v.assign(2));
        INDArray vector = Nd4j.ones(DataType.FLOAT, flat.length());
        flat.toUpdate(vector, 0);
        INDArray other = Nd4j.ones(DataType.FLOAT, flat.length());
        new FlatOptimizer(updater(kind), SHAPES, DataType.FLOAT).toUpdate(other, 0);
        FlatOptimizer.Slot bias = flat.slots().get(1);
        assertTrue(!FlatOptimizer.view(vector, bias).equals(FlatOptimizer.view(other, bias)), "the written state is used");
        assertEquals(FlatOptimizer.view(other, flat.slots().get(0)), FlatOptimizer.view(vector, flat.slots().get(0)),
                "other parameters' state is untouched");
        flat.zeroState();
        flat.state("conv/b").values().forEach(v -> assertEquals(0.0, v.sumNumber().doubleValue(), 0.0));
        assertThrows(IllegalArgumentException.class, () -> flat.toUpdate(Nd4j.ones(DataType.FLOAT, 3), 0));
    }
}
