package io.flowbench.flow.resflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowbench.flow.LatentShape;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The Neumann mode's forward-only request computes only the drawn terms (partial sums at the
 * draw's length), and its estimate equals the backprop-series mode's sum over the graph's whole
 * capacity, where the terms beyond the draw weigh zero.
 */
class NeumannPartialSumTest {

    private static final SeriesOptions NEUMANN = new SeriesOptions(Roulette.POISSON, 2, 12, GradientMode.NEUMANN);

    @Test
    void precomputeAsksForTheDrawnTermsAndMatchesTheWholeSeries() {
        LatentShape shape = new LatentShape(2, 4, 4);
        BlockHarness neumann = new BlockHarness(DataType.DOUBLE, shape, 4, true, NEUMANN).strongJacobian(3);
        BlockHarness full = new BlockHarness(DataType.DOUBLE, shape, 4, true,
                new SeriesOptions(Roulette.POISSON, 2, 12, GradientMode.BACKPROP_SERIES)).strongJacobian(3);
        INDArray x = neumann.input(3, 5);
        int shorter = 0;
        for (long seed = 0; seed < 12; seed++) {
            Map<String, INDArray> in = neumann.feed(x, seed);
            int drawn = nonZeroTerms(in.get(neumann.block.rouletteName()));
            assertEquals(neumann.block.precomputedInputs(in).get("block/series"), "block/series_value_" + drawn);
            shorter += drawn < NEUMANN.capacity() ? 1 : 0;
            INDArray expected = full.output(full.feed(x, seed), "logdet");
            INDArray actual = neumann.output(in, "logdet");
            assertTrue(expected.equalsWithEps(actual, 1e-10), "seed " + seed + ": " + actual + " vs " + expected);
        }
        assertTrue(shorter > 6, "most draws are shorter than the capacity, so the request is partial");
    }

    private static int nonZeroTerms(INDArray weights) {
        int n = 0;
        for (int k = 0; k < weights.size(1); k++) {
            n = weights.getDouble(0, k) != 0 ? k + 1 : n;
        }
        return n;
    }
}
