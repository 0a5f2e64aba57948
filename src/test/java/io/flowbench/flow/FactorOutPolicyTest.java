package io.flowbench.flow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowbench.flow.FactorOutPolicy.Kind;
import io.flowbench.flow.FactorOutPolicy.Order;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The masks each policy draws, and the permutation that sends exactly the masked dimensions to the latent. */
class FactorOutPolicyTest {
    private static final LatentShape SHAPE = new LatentShape(4, 2, 3);

    private static FactorOutPolicy policy(Kind kind) {
        return new FactorOutPolicy(kind, Order.HIGHEST, kind == Kind.LIKELIHOOD_CONTRIBUTION ? 1 : 0);
    }

    @Test
    void channelsAndLikelihoodContributionStartWithTheLastHalfOfTheChannels() {
        for (Kind kind : new Kind[] {Kind.CHANNELS, Kind.LIKELIHOOD_CONTRIBUTION}) {
            boolean[] m = policy(kind).initialMask(SHAPE, 1, 0);
            for (int i = 0; i < m.length; i++) {
                assertEquals(i >= 12, m[i], kind + " dimension " + i);
            }
        }
        assertFalse(FactorOutPolicy.CHANNELS.permutes());
    }

    @Test
    void checkerboardFactorsOutDimensionsWithOddChannelPlusRowPlusColumn() {
        boolean[] m = policy(Kind.CHECKERBOARD).initialMask(SHAPE, 1, 0);
        for (int c = 0; c < 4; c++) {
            for (int h = 0; h < 2; h++) {
                for (int w = 0; w < 3; w++) {
                    assertEquals((c + h + w) % 2 == 1, m[c * 6 + h * 3 + w], "(" + c + ", " + h + ", " + w + ")");
                }
            }
        }
    }

    @Test
    void randomIsAFixedSeededHalfPerLevel() {
        FactorOutPolicy random = policy(Kind.RANDOM);
        boolean[] m = random.initialMask(SHAPE, 7, 0);
        assertArrayEquals(m, random.initialMask(SHAPE, 7, 0), "same seed and level, same mask");
        assertFalse(Arrays.equals(m, random.initialMask(SHAPE, 7, 1)), "another level, another mask");
        assertFalse(Arrays.equals(m, random.initialMask(SHAPE, 8, 0)), "another seed, another mask");
        int factored = 0;
        for (boolean b : m) {
            factored += b ? 1 : 0;
        }
        assertEquals(12, factored);
    }

    @Test
    void maskFromContributionsTakesTheHighestOrTheLowestHalf() {
        double[] contribution = {0.5, -2, 3, 1, -1, 2};
        assertArrayEquals(new boolean[] {false, false, true, true, false, true},
                FactorOutPolicy.maskFrom(contribution, Order.HIGHEST), "of 6 dimensions the 3 highest leave");
        assertArrayEquals(new boolean[] {true, true, false, false, true, false},
                FactorOutPolicy.maskFrom(contribution, Order.LOWEST));
    }

    @Test
    void theMaskPutsKeptDimensionsFirstAndFactoredLastInAscendingOrder() {
        boolean[] m = policy(Kind.CHECKERBOARD).initialMask(SHAPE, 1, 0);
        LayerHarness h = new LayerHarness(DataType.DOUBLE, SHAPE, 0, (g, s) -> new FactorOutMask(g, "mask", s, m));
        INDArray x = h.input(2, 5);
        INDArray y = h.run(x).get("y").reshape(2, 24);
        INDArray flat = x.reshape(2, 24);
        int kept = 0;
        int factored = 12;
        for (int i = 0; i < 24; i++) {
            int at = m[i] ? factored++ : kept++;
            assertEquals(flat.getDouble(1, i), y.getDouble(1, at), 0.0, "dimension " + i);
        }
    }

    @Test
    void fixReplacesThePermutationInPlace() {
        FactorOutMask[] layer = new FactorOutMask[1];
        LayerHarness h = new LayerHarness(DataType.DOUBLE, SHAPE, 0,
                (g, s) -> layer[0] = new FactorOutMask(g, "mask", s, policy(Kind.CHANNELS).initialMask(s, 1, 0)));
        INDArray x = h.input(1, 5);
        assertEquals(x, h.run(x).get("y"), "the channels mask is the identity permutation");
        boolean[] checkerboard = policy(Kind.CHECKERBOARD).initialMask(SHAPE, 1, 0);
        layer[0].fix(checkerboard);
        assertArrayEquals(checkerboard, layer[0].mask());
        var out = h.run(x);
        assertTrue(out.get("y").sub(x).amaxNumber().doubleValue() > 1e-3, "the next execution uses the new mask");
        assertEquals(x, out.get("x_back"));
    }

    @Test
    void badMasksAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new LayerHarness(DataType.DOUBLE, SHAPE, 0, (g, s) -> new FactorOutMask(g, "m", s, new boolean[24])));
        assertTrue(e.getMessage().contains("must factor out 12 of 24 dimensions, not 0"), e.getMessage());
        LatentShape one = new LatentShape(1, 2, 2);
        e = assertThrows(IllegalArgumentException.class,
                () -> new LayerHarness(DataType.DOUBLE, one, 0, (g, s) -> new FactorOutMask(g, "m", s, new boolean[4])));
        assertTrue(e.getMessage().contains("at least 2 channels"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new FactorOutPolicy(Kind.LIKELIHOOD_CONTRIBUTION, Order.HIGHEST, 0));
        assertTrue(e.getMessage().contains("warm-up steps >= 1"), e.getMessage());
    }
}
