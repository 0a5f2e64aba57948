package io.flowbench.flow.resflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowbench.flow.LatentShape;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * What backpropagation stores, counted structurally: the backward graph's convolution gradients
 * (conv2d_bp, each keeping its input activation) grow with the number of series terms under
 * backprop-series and do not under neumann.
 */
class NeumannMemoryTest {

    @Test
    void neumannBackwardGraphDoesNotGrowWithTerms() {
        assertEquals(backwardConvolutions(GradientMode.NEUMANN, 4), backwardConvolutions(GradientMode.NEUMANN, 12));
        assertTrue(backwardConvolutions(GradientMode.BACKPROP_SERIES, 12) > backwardConvolutions(GradientMode.BACKPROP_SERIES, 4));
    }

    private static long backwardConvolutions(GradientMode mode, int capacity) {
        BlockHarness h = new BlockHarness(DataType.FLOAT, new LatentShape(2, 4, 4), 4, true,
                new SeriesOptions(Roulette.POISSON, 2, capacity, mode));
        h.sd.createGradFunction();
        long count = h.sd.getFunction("grad").getOps().values().stream()
                .filter(o -> o.getOp().opName().equals("conv2d_bp")).count();
        System.out.println(mode + ", " + capacity + " terms: " + count + " conv2d_bp in the backward graph");
        return count;
    }
}
