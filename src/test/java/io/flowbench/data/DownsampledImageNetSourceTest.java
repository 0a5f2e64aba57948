package io.flowbench.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DownsampledImageNetSourceTest {

    @TempDir
    Path root;

    private static Map<String, byte[]> arrays(byte[] pixels, int n, int side, int[] labels) {
        Map<String, byte[]> m = new LinkedHashMap<>();
        m.put("data", TestData.npy("|u1", new long[] {n, 3L * side * side}, pixels));
        m.put("labels", TestData.npy("<i8", new long[] {n}, TestData.int64(labels)));
        return m;
    }

    /** Ten train batches of 2 images and a val file of 3, unpacked into two sub-folders as the archives do. */
    private byte[][] writeAll(int side, boolean compressed) throws Exception {
        Path train = Files.createDirectories(root.resolve("Imagenet" + side + "_train_npz"));
        Path val = Files.createDirectories(root.resolve("Imagenet" + side + "_val_npz"));
        byte[][] pixels = new byte[11][];
        int px = 3 * side * side;
        for (int b = 0; b < 11; b++) {
            int n = b < 10 ? 2 : 3;
            pixels[b] = TestData.randomBytes(n * px, 60 + b);
            int[] labels = new int[n];
            for (int i = 0; i < n; i++) {
                labels[i] = 1 + (b * 100 + i) % 1000;
            }
            TestData.writeNpz(b < 10 ? train.resolve("train_data_batch_" + (b + 1) + ".npz") : val.resolve("val_data.npz"),
                    arrays(pixels[b], n, side, labels), compressed);
        }
        return pixels;
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void loadsNpzBatchesWithZeroBasedLabels(boolean compressed) throws Exception {
        byte[][] pixels = writeAll(32, compressed);
        DownsampledImageNetSource source = new DownsampledImageNetSource(32);
        DatasetSource.FileSet fs = source.find(root);
        assertTrue(fs.complete(), fs.missing().toString());

        DatasetSource.TrainTest tt = source.load(fs, DataOptions.builder("imagenet32").build());

        assertEquals(20, tt.train().size());
        assertEquals(3, tt.test().size());
        assertEquals(1000, tt.train().numClasses());
        assertEquals(3, tt.train().channels());
        assertArrayEquals(java.util.Arrays.copyOfRange(pixels[4], 3072, 6144), tt.train().example(9));
        assertEquals(401, tt.train().label(9), "batch 5, image 1: stored label 402 is class 401");
        assertEquals(0, tt.train().label(0));
        assertEquals(11, tt.train().sources().size() + tt.test().sources().size());
    }

    @Test
    void sixtyFourPixelFilesToo() throws Exception {
        writeAll(64, true);
        DatasetSource.TrainTest tt = new DownsampledImageNetSource(64).load(new DownsampledImageNetSource(64).find(root),
                DataOptions.builder("imagenet64").build());
        assertEquals(64, tt.test().width());
        assertEquals(3 * 64 * 64, tt.test().exampleLength());
    }

    /** Files written by NumPy itself (np.savez and np.savez_compressed; see the resource README). */
    @ParameterizedTest
    @ValueSource(strings = {"numpy-savez.npz", "numpy-savez-compressed.npz"})
    void readsNumpysOwnNpzFiles(String resource) throws Exception {
        Path f = root.resolve(resource);
        try (InputStream in = getClass().getResourceAsStream(resource)) {
            Files.copy(in, f);
        }
        ImageDataset.Builder b = ImageDataset.builder("imagenet32", "test", 3, 32, 32).numClasses(1000);
        SourceFile sf = new DownsampledImageNetSource(32).readNpz(f, b);
        ImageDataset d = b.build();

        assertEquals(3, d.size());
        assertArrayEquals(new int[] {0, 999, 536}, d.labels());
        for (int i = 0; i < 3; i++) {
            byte[] ex = d.example(i);
            for (int j = 0; j < ex.length; j++) {
                assertEquals((7 * i + 13 * j) % 256, ex[j] & 0xff, "data[" + i + ", " + j + "]");
            }
        }
        assertEquals(Files.size(f), sf.bytes());
    }

    @Test
    void wrongKeysDtypeShapeAndLabelsAreNamed() throws Exception {
        DownsampledImageNetSource source = new DownsampledImageNetSource(32);
        Path f = root.resolve("val_data.npz");
        ImageDataset.Builder b = ImageDataset.builder("imagenet32", "test", 3, 32, 32).numClasses(1000);

        Map<String, byte[]> m = new LinkedHashMap<>();
        m.put("x", TestData.npy("|u1", new long[] {1, 3072}, new byte[3072]));
        m.put("y", TestData.npy("<i8", new long[] {1}, TestData.int64(new int[] {1})));
        TestData.writeNpz(f, m, false);
        DataFormatException e = assertThrows(DataFormatException.class, () -> source.readNpz(f, b));
        assertEquals(f + ": expected arrays 'data' and 'labels', found [x, y]", e.getMessage());

        m = arrays(new byte[2 * 12288], 2, 64, new int[] {1, 2});
        TestData.writeNpz(f, m, false);
        assertTrue(assertThrows(DataFormatException.class, () -> source.readNpz(f, b)).getMessage()
                .contains("shape [2, 12288], expected uint8 (|u1), C order, shape [N, 3072]"));

        m = arrays(new byte[3072], 1, 32, new int[] {0});
        TestData.writeNpz(f, m, true);
        assertTrue(assertThrows(DataFormatException.class, () -> source.readNpz(f, b)).getMessage()
                .contains("label 0 at index 0, expected 1..1000"));

        m = arrays(new byte[2 * 3072], 2, 32, new int[] {5});
        m.put("labels", TestData.npy("<i8", new long[] {1}, TestData.int64(new int[] {5})));
        TestData.writeNpz(f, m, true);
        assertTrue(assertThrows(DataFormatException.class, () -> source.readNpz(f, b)).getMessage()
                .contains("'labels' has shape [1], expected [2]"));

        Files.write(f, "not a zip".getBytes());
        assertTrue(assertThrows(DataFormatException.class, () -> source.readNpz(f, b)).getMessage().contains("not an .npz"));
    }

    @Test
    void truncatedArrayIsAnError() throws Exception {
        Path f = root.resolve("train_data_batch_1.npz");
        byte[] npy = TestData.npy("|u1", new long[] {2, 3072}, new byte[2 * 3072]);
        Map<String, byte[]> m = new LinkedHashMap<>();
        m.put("data", java.util.Arrays.copyOf(npy, npy.length - 10));
        m.put("labels", TestData.npy("<i8", new long[] {2}, TestData.int64(new int[] {1, 2})));
        TestData.writeNpz(f, m, false);
        String msg = assertThrows(DataFormatException.class,
                () -> new DownsampledImageNetSource(32).readNpz(f, ImageDataset.builder("imagenet32", "train", 3, 32, 32)))
                .getMessage();
        assertTrue(msg.contains("array 'data': truncated: shape [2, 3072] of |u1 needs 6144 bytes, found 6134"), msg);
    }

    @Test
    void reportsMissingFiles() throws Exception {
        writeAll(32, false);
        Files.delete(root.resolve("Imagenet32_train_npz/train_data_batch_7.npz"));
        DatasetSource.FileSet fs = new DownsampledImageNetSource(32).find(root);
        assertFalse(fs.complete());
        assertEquals(List.of("train_data_batch_7.npz"), fs.missing());
    }
}
