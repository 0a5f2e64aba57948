package io.flowbench.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.flowbench.Integration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FashionMnistSourceTest {

    /** SHA-256 of the Debian package dataset-fashion-mnist 0.0~git20200523.55506a9-1's files. */
    static final String TRAIN_IMAGES_SHA256 = "b0564c3eedabfbf835052cff8503ea422014ce006caf5b757f851416ee8300c7";
    static final String TRAIN_LABELS_SHA256 = "0ae29f65d86684f32d1b9c85147786c547b9c6aebcaf235f0400a0cce308b056";
    static final String TEST_IMAGES_SHA256 = "cc1d090a38ace84dfa1aa66e3ada7c336ef481a96936906477e6dd344da56eaa";
    /** Our content hash of the decoded train split (pins the content-hash definition to the real data). */
    static final String TRAIN_CONTENT_SHA256 = "161c854f87b3091a04bd0d67f368b5c6c371097f382935053fb5af3b317001e7";

    @TempDir
    Path root;

    @Test
    void findsGzippedOrPlainFilesAndSaysWhatIsMissing() throws Exception {
        FashionMnistSource source = new FashionMnistSource();
        Path dir = root.resolve("fashion-mnist");
        TestData.writeFashionMnist(dir, 6, 2);
        Files.write(dir.resolve("t10k-labels-idx1-ubyte"), Files.readAllBytes(dir.resolve("t10k-labels-idx1-ubyte.gz")));
        Files.delete(dir.resolve("t10k-labels-idx1-ubyte.gz"));
        assertTrue(source.find(dir).complete());
        assertEquals(dir.resolve("t10k-labels-idx1-ubyte"), source.find(dir).files().get(3));

        Files.delete(dir.resolve("train-labels-idx1-ubyte.gz"));
        DatasetSource.FileSet fs = source.find(dir);
        assertFalse(fs.complete());
        assertEquals(List.of("train-labels-idx1-ubyte.gz"), fs.missing());
    }

    @Test
    void loadsGeneratedFilesExactly() throws Exception {
        Path dir = root.resolve("fashion-mnist");
        Object[] w = TestData.writeFashionMnist(dir, 12, 5);
        FashionMnistSource source = new FashionMnistSource();
        DatasetSource.TrainTest tt = source.load(source.find(dir), DataOptions.builder("fashion-mnist").build());
        assertArrayEquals((byte[]) w[0], tt.train().pixels());
        assertArrayEquals((int[]) w[1], tt.train().labels());
        assertArrayEquals((byte[]) w[2], tt.test().pixels());
        assertArrayEquals((int[]) w[3], tt.test().labels());
        assertEquals(FashionMnistSource.CLASSES, tt.train().classNames());
        assertEquals("train", tt.train().split());
        assertEquals("test", tt.test().split());
    }

    /** The real package (bin/test installs it): the whole train split loads exactly as published. */
    @Test
    @Integration
    void realPackageLoadsWithKnownHashes() throws Exception {
        assumeTrue(Files.isDirectory(Path.of(FashionMnistSource.PACKAGE_DIR)), "dataset-fashion-mnist is not installed");
        DatasetRegistry registry = DatasetRegistry.at(new DataLocations(root));

        DatasetSplits s = registry.load(DataOptions.builder("fashion-mnist").levels(2).build());
        assertEquals(60_000, s.train().size());
        assertEquals(10_000, s.test().size());
        assertEquals(0, s.validation().size());
        assertEquals(28, s.train().height(), "28 = 4*7 fits 2 levels without padding");
        assertFalse(s.hflip());
        int[] perClass = new int[10];
        for (int l : s.train().labels()) {
            perClass[l]++;
        }
        for (int c : perClass) {
            assertEquals(6000, c);
        }
        assertEquals(9, s.train().label(0), "the first training image is an ankle boot");
        List<SourceFile> src = s.train().sources();
        assertEquals(TRAIN_IMAGES_SHA256, src.get(0).sha256());
        assertEquals(TRAIN_LABELS_SHA256, src.get(1).sha256());
        assertEquals(TRAIN_CONTENT_SHA256, s.train().provenance().contentSha256());
        assertEquals(47_040_000, s.train().pixels().length);
    }
}
