package io.flowbench.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ImageDatasetTest {

    static final int N = 23;
    static final byte[] PIXELS = TestData.randomBytes(N * 2 * 3 * 5, 11);
    static final int[] LABELS = TestData.randomLabels(N, 4, 12);

    /** 23 examples of 2x3x5; blocks of {@code blockBytes} (0: the default single block). */
    static ImageDataset sample(int blockBytes) {
        ImageDataset.Builder b = ImageDataset.builder("t", "train", 2, 3, 5).numClasses(4);
        if (blockBytes > 0) {
            b.blockBytes(blockBytes);
        }
        return b.addAll(PIXELS, N, LABELS).build();
    }

    @Test
    void manySmallBlocksBehaveLikeOne() {
        ImageDataset one = sample(0);
        ImageDataset many = sample(30 * 4);  // 4 examples per block, 6 blocks
        assertArrayEquals(PIXELS, one.pixels());
        assertArrayEquals(PIXELS, many.pixels());
        assertArrayEquals(LABELS, many.labels());
        for (int i = 0; i < N; i++) {
            assertArrayEquals(one.example(i), many.example(i));
        }
        assertEquals(one.provenance().contentSha256(), many.provenance().contentSha256(),
                "the content hash does not depend on the storage layout");
        assertEquals(PIXELS[(7 * 2 + 1) * 15 + 2 * 5 + 4] & 0xff, many.pixel(7, 1, 2, 4));
    }

    @Test
    void copyAsFloatsHonoursOrderAndMirrorsFlippedExamples() {
        ImageDataset d = sample(30 * 3);
        int[] order = {5, 22, 0, 9};
        boolean[] flip = {false, true, false, true};
        float[] out = new float[3 * 30];
        d.copyAsFloats(order, 1, 3, flip, out);  // examples 22 (flipped), 0, 9 (flipped)
        for (int c = 0; c < 2; c++) {
            for (int y = 0; y < 3; y++) {
                for (int x = 0; x < 5; x++) {
                    int k = (c * 3 + y) * 5 + x;
                    assertEquals(d.pixel(22, c, y, 4 - x), out[k]);
                    assertEquals(d.pixel(0, c, y, x), out[30 + k]);
                    assertEquals(d.pixel(9, c, y, 4 - x), out[60 + k]);
                }
            }
        }
    }

    @Test
    void selectKeepsLabelsAndRecordsTheStep() {
        ImageDataset d = sample(0);
        ImageDataset s = d.select(new int[] {3, 3, 20}, "validation", "pick three");
        assertEquals(3, s.size());
        assertEquals("validation", s.split());
        assertArrayEquals(new int[] {LABELS[3], LABELS[3], LABELS[20]}, s.labels());
        assertArrayEquals(d.example(20), s.example(2));
        assertEquals(List.of("pick three"), s.derivation());
        assertEquals(List.of(), d.derivation());
    }

    @Test
    void contentHashSeesEveryPixelAndLabel() {
        String base = sample(0).provenance().contentSha256();
        byte[] px = PIXELS.clone();
        px[px.length - 1] ^= 1;
        assertNotEquals(base, ImageDataset.builder("t", "train", 2, 3, 5).numClasses(4).addAll(px, N, LABELS).build()
                .provenance().contentSha256());
        int[] l = LABELS.clone();
        l[0] = (l[0] + 1) % 4;
        assertNotEquals(base, ImageDataset.builder("t", "train", 2, 3, 5).numClasses(4).addAll(PIXELS, N, l).build()
                .provenance().contentSha256());
        assertNotEquals(base, ImageDataset.builder("t", "train", 2, 5, 3).numClasses(4).addAll(PIXELS, N, LABELS).build()
                .provenance().contentSha256(), "the shape is hashed too");
    }

    @Test
    void labelsMustFitTheClasses() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> ImageDataset.builder("t", "train", 1, 1, 1).numClasses(2).add(new byte[1], 0, 2).build());
        assertTrue(e.getMessage().contains("example 0 has label 2, expected 0..1"));
        assertThrows(IllegalStateException.class, () -> ImageDataset.builder("t", "train", 1, 1, 1).add(new byte[1], 0, 0).build(),
                "unlabeled data has label -1");
        assertEquals(0, ImageDataset.builder("t", "validation", 1, 2, 2).build().size(), "an empty split is fine");
    }
}
