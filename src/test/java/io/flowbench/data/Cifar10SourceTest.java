package io.flowbench.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Cifar10SourceTest {

    @TempDir
    Path root;

    private final Cifar10Source source = new Cifar10Source();

    /** The five train batches (3 records each) and the test batch (2 records) in the tarball's sub-folder. */
    private byte[][] writeBatches(Path dir) throws Exception {
        Path sub = dir.resolve("cifar-10-batches-bin");
        Files.createDirectories(sub);
        byte[][] pixels = new byte[6][];
        for (int b = 0; b < 6; b++) {
            int n = b < 5 ? 3 : 2;
            pixels[b] = TestData.randomBytes(n * 3072, 40 + b);
            int[] labels = new int[n];
            for (int i = 0; i < n; i++) {
                labels[i] = (b + i) % 10;
            }
            Files.write(sub.resolve(b < 5 ? "data_batch_" + (b + 1) + ".bin" : "test_batch.bin"),
                    TestData.cifarRecords(pixels[b], labels));
        }
        return pixels;
    }

    @Test
    void decodesRecordsAsRedGreenBluePlanes() throws Exception {
        byte[][] pixels = writeBatches(root);
        DatasetSource.FileSet fs = source.find(root);
        assertTrue(fs.complete(), fs.missing().toString());

        DatasetSource.TrainTest tt = source.load(fs, DataOptions.builder("cifar10").build());

        assertEquals(15, tt.train().size());
        assertEquals(2, tt.test().size());
        assertEquals(3, tt.train().channels());
        assertEquals(32, tt.train().height());
        // train example 4 is batch 2's record 1; its green pixel (y=5, x=7) is byte 1024 + 5*32 + 7 of the record
        assertEquals(pixels[1][3072 + 1024 + 5 * 32 + 7] & 0xff, tt.train().pixel(4, 1, 5, 7));
        assertArrayEquals(Arrays.copyOfRange(pixels[5], 3072, 6144), tt.test().example(1));
        assertEquals(List.of(0, 1, 2, 1, 2, 3), Arrays.stream(tt.train().labels()).limit(6).boxed().toList());
        assertEquals(Cifar10Source.CLASSES, tt.train().classNames());
        assertEquals(5, tt.train().sources().size());
    }

    @Test
    void readsClassNamesFromBatchesMeta() throws Exception {
        writeBatches(root);
        List<String> names = List.of("a", "b", "c", "d", "e", "f", "g", "h", "i", "j");
        Files.write(root.resolve("cifar-10-batches-bin/batches.meta.txt"), (String.join("\n", names) + "\n\n").getBytes());
        DatasetSource.TrainTest tt = source.load(source.find(root), DataOptions.builder("cifar10").build());
        assertEquals(names, tt.test().classNames());
        assertEquals(6, tt.train().sources().size());
    }

    @Test
    void truncatedBatchAndBadLabelAreErrors() throws Exception {
        writeBatches(root);
        Path f = root.resolve("cifar-10-batches-bin/data_batch_3.bin");
        byte[] bytes = Files.readAllBytes(f);
        Files.write(f, Arrays.copyOf(bytes, bytes.length - 1));
        DataFormatException e = assertThrows(DataFormatException.class,
                () -> source.load(source.find(root), DataOptions.builder("cifar10").build()));
        assertEquals(f, e.file());
        assertTrue(e.getMessage().contains("9218 bytes, expected a positive multiple of 3073"), e.getMessage());

        bytes[3073] = 10;
        Files.write(f, bytes);
        assertTrue(assertThrows(DataFormatException.class, () -> source.load(source.find(root), DataOptions.builder("cifar10").build()))
                .getMessage().contains("record 1 has label 10, expected 0..9"));
    }

    @Test
    void reportsMissingBatches() throws Exception {
        writeBatches(root);
        Files.delete(root.resolve("cifar-10-batches-bin/test_batch.bin"));
        DatasetSource.FileSet fs = source.find(root);
        assertFalse(fs.complete());
        assertEquals(List.of("cifar-10-batches-bin/test_batch.bin"), fs.missing());
    }
}
