package io.flowbench.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.NoSuchElementException;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

class BatchIteratorTest {

    static final int N = 50;

    static ImageDataset data(String name, boolean labeled) {
        byte[] px = TestData.randomBytes(N * 2 * 4 * 6, 21);
        ImageDataset.Builder b = ImageDataset.builder(name, "train", 2, 4, 6).numClasses(labeled ? 5 : 0);
        return b.addAll(px, N, labeled ? TestData.randomLabels(N, 5, 22) : null).build();
    }

    @Test
    void eachEpochVisitsADifferentSeededPermutation() {
        ImageDataset d = data("t", true);
        try (BatchIterator it = BatchIterator.training(d, 8, 5, false)) {
            assertEquals(6, it.batchesPerEpoch(), "50 / 8, the partial batch dropped");
            int[][] epochs = new int[3][];
            for (int e = 0; e < 3; e++) {
                int[] seen = new int[48];
                for (int b = 0; b < 6; b++) {
                    Batch batch = it.next();
                    assertEquals(e, batch.epoch());
                    assertEquals(e * 6L + b, batch.step());
                    System.arraycopy(batch.indices(), 0, seen, b * 8, 8);
                }
                assertEquals(48, Arrays.stream(seen).distinct().count(), "no example twice in an epoch");
                epochs[e] = seen;
            }
            assertFalse(Arrays.equals(epochs[0], epochs[1]));
            assertFalse(Arrays.equals(epochs[1], epochs[2]));
        }
    }

    @Test
    void batchesHoldThePixelsLabelsAndOneHotOfTheirExamples() {
        ImageDataset d = data("t", true);
        try (BatchIterator it = BatchIterator.training(d, 8, 5, true)) {
            for (int k = 0; k < 7; k++) {
                Batch b = it.next();
                assertArrayEquals(new long[] {8, 2, 4, 6}, b.images().shape());
                assertEquals(DataType.FLOAT, b.images().dataType());
                assertArrayEquals(new long[] {8, 5}, b.oneHot().shape());
                for (int j = 0; j < 8; j++) {
                    int i = b.indices()[j];
                    assertEquals(d.label(i), b.labels()[j]);
                    for (int c = 0; c < 5; c++) {
                        assertEquals(c == d.label(i) ? 1f : 0f, b.oneHot().getFloat(j, c));
                    }
                    for (int c = 0; c < 2; c++) {
                        for (int y = 0; y < 4; y++) {
                            for (int x = 0; x < 6; x++) {
                                int sx = b.flipped()[j] ? 5 - x : x;
                                assertEquals(d.pixel(i, c, y, sx), b.images().getFloat(j, c, y, x), 0f);
                            }
                        }
                    }
                }
                b.close();
            }
        }
    }

    @Test
    void sameSeedSameBatchesAndResumingMidRunContinuesExactly() {
        ImageDataset d = data("t", true);
        int[][] indices = new int[20][];
        boolean[][] flips = new boolean[20][];
        try (BatchIterator a = BatchIterator.training(d, 8, 42, true)) {
            for (int s = 0; s < 20; s++) {
                Batch b = a.next();
                indices[s] = b.indices();
                flips[s] = b.flipped();
            }
        }
        try (BatchIterator again = BatchIterator.over(d).batchSize(8).seed(42).hflip(true).prefetch(1).build();
             BatchIterator resumed = BatchIterator.over(d).batchSize(8).seed(42).hflip(true).startStep(13).build()) {
            for (int s = 0; s < 20; s++) {
                Batch b = again.next();
                assertArrayEquals(indices[s], b.indices(), "step " + s);
                assertArrayEquals(flips[s], b.flipped(), "step " + s);
                if (s >= 13) {
                    Batch r = resumed.next();
                    assertEquals(s, r.step());
                    assertArrayEquals(indices[s], r.indices(), "resumed at step " + s);
                    assertArrayEquals(flips[s], r.flipped());
                    assertEquals(b.images(), r.images());
                }
            }
        }
        try (BatchIterator other = BatchIterator.training(d, 8, 43, true)) {
            assertFalse(Arrays.equals(indices[0], other.next().indices()));
        }
    }

    @Test
    void aboutHalfOfTheExamplesAreFlippedWhenAsked() {
        int flipped = 0;
        try (BatchIterator it = BatchIterator.training(data("t", true), 10, 1, true)) {
            for (int s = 0; s < 40; s++) {
                for (boolean f : it.next().flipped()) {
                    flipped += f ? 1 : 0;
                }
            }
        }
        assertTrue(flipped > 140 && flipped < 260, flipped + " of 400");
        try (BatchIterator it = BatchIterator.training(data("t", true), 10, 1, false)) {
            for (int s = 0; s < 10; s++) {
                for (boolean f : it.next().flipped()) {
                    assertFalse(f);
                }
            }
        }
    }

    @Test
    void sequentialCoversTheWholeSplitInOrderOnce() {
        ImageDataset d = data("t", false);
        try (BatchIterator it = BatchIterator.sequential(d, 16)) {
            assertEquals(4, it.totalBatches());
            int next = 0;
            int[] sizes = new int[4];
            for (int b = 0; b < 4; b++) {
                assertTrue(it.hasNext());
                Batch batch = it.next();
                sizes[b] = batch.size();
                assertNull(batch.oneHot(), "unlabeled data has no one-hot labels");
                for (int i : batch.indices()) {
                    assertEquals(next++, i);
                }
                assertEquals(-1, batch.labels()[0]);
                assertEquals(d.pixel(batch.indices()[0], 1, 3, 5), batch.images().getFloat(0, 1, 3, 5), 0f);
            }
            assertArrayEquals(new int[] {16, 16, 16, 2}, sizes);
            assertFalse(it.hasNext());
            assertThrows(NoSuchElementException.class, it::next);
        }
        try (BatchIterator empty = BatchIterator.sequential(ImageDataset.builder("t", "validation", 1, 2, 2).build(), 4)) {
            assertFalse(empty.hasNext());
        }
    }

    @Test
    void tooFewExamplesForOneBatchIsAnError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BatchIterator.training(data("t", true), 64, 0, false));
        assertTrue(e.getMessage().contains("fewer examples than one batch of 64"), e.getMessage());
    }

    @Test
    void closeStopsTheBackgroundThread() throws Exception {
        String name = "closing-test";
        BatchIterator it = BatchIterator.over(data(name, true)).batchSize(5).prefetch(2).build();
        it.next();
        assertTrue(threads(name).size() == 1, "batches are prepared on a background thread");
        it.close();
        assertEquals(Set.of(), threads(name));
        assertFalse(it.hasNext());
    }

    private static Set<Thread> threads(String datasetName) {
        Set<Thread> out = new HashSet<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("flowbench-batches-" + datasetName) && t.isAlive()) {
                out.add(t);
            }
        }
        return out;
    }
}
