package io.flowbench.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class GeometryTest {

    private static ImageDataset images(int n, int c, int h, int w) {
        byte[] px = TestData.randomBytes(n * c * h * w, 9);
        return ImageDataset.builder("t", "train", c, h, w).numClasses(3).addAll(px, n, new int[] {0, 1, 2, 0, 1, 2}).build();
    }

    @Test
    void sidesThatFitTheLevelsAreLeftAlone() {
        ImageDataset d = images(2, 1, 28, 28);
        assertSame(d, Geometry.fit(d, DataOptions.builder("t").levels(2).build()), "28 = 4 * 7 fits 2 levels");
    }

    @Test
    void zeroPaddingCentresTheImage() {
        ImageDataset d = images(3, 2, 28, 28);
        ImageDataset p = Geometry.fit(d, DataOptions.builder("t").levels(3).pad(Padding.ZERO).build());
        assertEquals(32, p.height());
        assertEquals(32, p.width());
        assertEquals(3, p.size());
        for (int i = 0; i < 3; i++) {
            assertEquals(d.label(i), p.label(i));
            for (int c = 0; c < 2; c++) {
                for (int y = 0; y < 32; y++) {
                    for (int x = 0; x < 32; x++) {
                        boolean inside = y >= 2 && y < 30 && x >= 2 && x < 30;
                        assertEquals(inside ? d.pixel(i, c, y - 2, x - 2) : 0, p.pixel(i, c, y, x));
                    }
                }
            }
        }
        assertTrue(p.derivation().get(0).startsWith("pad zero 28x28 -> 32x32"));
    }

    @Test
    void sidesThatDoNotFitWithoutPaddingSayWhatToDo() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Geometry.fit(images(1, 1, 28, 28), DataOptions.builder("t").levels(3).build()));
        assertTrue(e.getMessage().contains("28x28, not multiples of 2^3 = 8") && e.getMessage().contains("pad = zero (28x28 -> 32x32)"),
                e.getMessage());
    }

    @Test
    void resizeAveragesAreasAndCropsToACentredSquare() {
        // 1 channel, 4 rows x 6 columns: the centred square is columns 1..4; 2x2 blocks average to side 2
        byte[] px = new byte[24];
        for (int i = 0; i < 24; i++) {
            px[i] = (byte) (i * 10);
        }
        byte[] out = Geometry.resize(px, 1, 4, 6, 2);
        // block rows 0-1, cols 1-2: (10 + 20 + 70 + 80) / 4 = 45
        assertEquals(45, out[0] & 0xff);
        assertEquals((30 + 40 + 90 + 100) / 4, out[1] & 0xff);
        assertEquals((130 + 140 + 190 + 200) / 4, out[2] & 0xff);
        assertEquals((150 + 160 + 210 + 220) / 4, out[3] & 0xff);

        // non-integer scale: 3 -> 2, output pixel 0 covers input [0, 1.5): (1 * v0 + 0.5 * v1) / 1.5
        byte[] row = {0, (byte) 90, (byte) 180, 0, 0, 0, 0, 0, 0};
        byte[] o = Geometry.resize(row, 1, 3, 3, 2);
        assertEquals(Math.round((0 + 0.5 * 90) / 1.5 * (1 / 1.5) + 0), o[0] & 0xff, "weights are separable");

        ImageDataset d = Geometry.fit(images(1, 3, 8, 8), DataOptions.builder("t").resize(4).levels(2).build());
        assertEquals(4, d.height());
        assertTrue(d.derivation().get(0).startsWith("resize 8x8 -> 4x4"));
    }
}
