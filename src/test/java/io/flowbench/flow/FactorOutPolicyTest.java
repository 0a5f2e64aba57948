package io.flowbench.flow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowbench.flow.FactorOutPolicy.Kind;
import io.flowbench.flow.FactorOutPolicy.Order;
import io.flowbench.flow.FactorOutMask.Packing;
import java.util.Arrays;
import java.util.SplittableRandom;
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

    /** A per-pixel mask from seeded random contributions: different channels leave at different pixels. */
    static boolean[] perPixelMask(LatentShape shape, long seed) {
        double[] contribution = new SplittableRandom(seed).doubles(shape.size()).toArray();
        return FactorOutPolicy.maskFrom(contribution, Order.HIGHEST, shape);
    }

    @Test
    void maskFromContributionsTakesTheHighestOrTheLowestHalfOfEveryPixel() {
        LatentShape shape = new LatentShape(4, 1, 2);
        // flat index c * 2 + w: pixel 0 has contributions {0.5, 3, -1, 3} over its channels, pixel 1 {-2, 1, 2, 0}
        double[] contribution = {0.5, -2, 3, 1, -1, 2, 3, 0};
        assertArrayEquals(new boolean[] {false, false, true, true, false, true, true, false},
                FactorOutPolicy.maskFrom(contribution, Order.HIGHEST, shape), "the 2 highest of each pixel, tie to channel 1");
        assertArrayEquals(new boolean[] {true, true, false, false, true, false, false, true},
                FactorOutPolicy.maskFrom(contribution, Order.LOWEST, shape));
        assertEquals(Packing.PER_PIXEL, policy(Kind.LIKELIHOOD_CONTRIBUTION).packing());
        for (Kind kind : new Kind[] {Kind.CHANNELS, Kind.CHECKERBOARD, Kind.RANDOM}) {
            assertEquals(Packing.FLAT, policy(kind).packing(), kind.configName());
        }
    }

    /** Per pixel: kept channel k at (h, w) is the k-th kept channel of (h, w), and each pixel keeps C/2. */
    @Test
    void perPixelPackingKeepsTheSpatialLayout() {
        boolean[] m = perPixelMask(SHAPE, 11);
        LayerHarness h = new LayerHarness(DataType.DOUBLE, SHAPE, 0, (g, s) -> new FactorOutMask(g, "mask", s, m, Packing.PER_PIXEL));
        INDArray x = h.input(2, 5);
        INDArray y = h.run(x).get("y");
        boolean differs = false;
        for (int p = 0; p < 6; p++) {
            int row = p / 3;
            int column = p % 3;
            int kept = 0;
            int factored = 2;
            for (int c = 0; c < 4; c++) {
                int at = m[c * 6 + p] ? factored++ : kept++;
                assertEquals(x.getDouble(1, c, row, column), y.getDouble(1, at, row, column), 0.0, "channel " + c + " at pixel " + p);
                differs |= at != c;
            }
            assertEquals(2, kept, "pixel " + p + " keeps half of its channels");
        }
        assertTrue(differs, "the mask is not the channels split");
    }

    @Test
    void theMaskPutsKeptDimensionsFirstAndFactoredLastInAscendingOrder() {
        boolean[] m = policy(Kind.CHECKERBOARD).initialMask(SHAPE, 1, 0);
        LayerHarness h = new LayerHarness(DataType.DOUBLE, SHAPE, 0, (g, s) -> new FactorOutMask(g, "mask", s, m, Packing.FLAT));
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
                (g, s) -> layer[0] = new FactorOutMask(g, "mask", s, policy(Kind.CHANNELS).initialMask(s, 1, 0), Packing.FLAT));
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
                () -> new LayerHarness(DataType.DOUBLE, SHAPE, 0, (g, s) -> new FactorOutMask(g, "m", s, new boolean[24], Packing.FLAT)));
        assertTrue(e.getMessage().contains("must factor out 12 of 24 dimensions, not 0"), e.getMessage());
        LatentShape one = new LatentShape(1, 2, 2);
        e = assertThrows(IllegalArgumentException.class,
                () -> new LayerHarness(DataType.DOUBLE, one, 0, (g, s) -> new FactorOutMask(g, "m", s, new boolean[4], Packing.FLAT)));
        assertTrue(e.getMessage().contains("at least 2 channels"), e.getMessage());
        boolean[] firstPixelOnly = new boolean[24];
        for (int c = 0; c < 4; c++) {
            Arrays.fill(firstPixelOnly, c * 6, c * 6 + 3, true); // half of all dimensions, but 4 or 0 per pixel
        }
        e = assertThrows(IllegalArgumentException.class, () -> new LayerHarness(DataType.DOUBLE, SHAPE, 0,
                (g, s) -> new FactorOutMask(g, "m", s, firstPixelOnly, Packing.PER_PIXEL)));
        assertTrue(e.getMessage().contains("must factor out 2 of the 4 channels at every pixel, not 4 at (h, w) = (0, 0)"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new FactorOutPolicy(Kind.LIKELIHOOD_CONTRIBUTION, Order.HIGHEST, 0));
        assertTrue(e.getMessage().contains("warm-up steps >= 1"), e.getMessage());
    }
}
