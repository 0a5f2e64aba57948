package io.flowbench.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuo.Example;
import org.tribuo.Feature;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.datasource.IDXDataSource;

class IdxReaderTest {

    @TempDir
    Path dir;

    private static final java.util.List<String> TEN = FashionMnistSource.CLASSES;

    @Test
    void readsGzippedAndPlainIdxExactly() throws Exception {
        byte[] pixels = TestData.randomBytes(5 * 784, 7);
        int[] labels = {3, 0, 9, 9, 1};
        Path x = dir.resolve("x.gz");
        Path y = dir.resolve("y");
        Files.write(x, TestData.gzip(TestData.idx(new int[] {5, 28, 28}, pixels)));
        Files.write(y, TestData.idx(new int[] {5}, TestData.labelBytes(labels)));

        ImageDataset d = IdxReader.readSplit("fashion-mnist", "train", x, y, TEN, 28, 28);

        assertEquals(5, d.size());
        assertEquals(1, d.channels());
        assertArrayEquals(pixels, d.pixels());
        assertArrayEquals(labels, d.labels());
        assertEquals(pixels[784 + 28 * 3 + 5] & 0xff, d.pixel(1, 0, 3, 5));
        assertEquals(2, d.sources().size());
        assertEquals(sha256(Files.readAllBytes(x)), d.sources().get(0).sha256(), "hash of the file as stored (gzipped)");
        assertEquals(Files.size(x), d.sources().get(0).bytes());
    }

    @Test
    void agreesWithTribuosIdxDataSource() throws Exception {
        Object[] written = TestData.writeFashionMnist(dir, 40, 3);
        Path x = dir.resolve("train-images-idx3-ubyte.gz");
        Path y = dir.resolve("train-labels-idx1-ubyte.gz");

        ImageDataset ours = IdxReader.readSplit("fashion-mnist", "train", x, y, TEN, 28, 28);
        IDXDataSource<Label> tribuo = new IDXDataSource<>(x, y, new LabelFactory());

        assertDensifiedEqual(tribuo, ours);
        assertArrayEquals((byte[]) written[0], ours.pixels());
        String provenance = tribuo.getProvenance().toString();
        for (SourceFile f : ours.sources()) {
            assertTrue(provenance.contains(f.sha256().toUpperCase()), "Tribuo records the same SHA-256 " + f.sha256());
        }
    }

    /** Tribuo's sparse examples (zero pixels omitted, features named by flat index), densified, equal ours. */
    static void assertDensifiedEqual(IDXDataSource<Label> tribuo, ImageDataset ours) {
        assertEquals(tribuo.size(), ours.size());
        int i = 0;
        byte[] dense = new byte[ours.exampleLength()];
        for (Example<Label> e : tribuo) {
            Arrays.fill(dense, (byte) 0);
            for (Feature f : e) {
                dense[Integer.parseInt(f.getName())] = (byte) (int) f.getValue();
            }
            assertArrayEquals(dense, ours.example(i), "example " + i);
            assertEquals(Integer.parseInt(e.getOutput().getLabel()), ours.label(i), "label " + i);
            i++;
        }
    }

    @Test
    void wrongMagicNumberNamesFileAndExpectation() throws Exception {
        Path f = dir.resolve("bad.gz");
        byte[] bytes = TestData.idx(new int[] {1, 28, 28}, new byte[784]);
        bytes[1] = 7;
        Files.write(f, TestData.gzip(bytes));
        DataFormatException e = assertThrows(DataFormatException.class, () -> IdxReader.read(f, 3));
        assertEquals(f, e.file());
        assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("magic number 0x00070803, expected 0x00000803"), e.getMessage());
    }

    @Test
    void wrongElementTypeAndRankAreRejected() throws Exception {
        Path f = dir.resolve("floats");
        byte[] bytes = TestData.idx(new int[] {2}, new byte[2]);
        bytes[2] = 0x0D;
        Files.write(f, bytes);
        assertTrue(assertThrows(DataFormatException.class, () -> IdxReader.read(f, 1)).getMessage()
                .contains("element type 0x0d, expected 0x08"));
        Path g = dir.resolve("labels-as-images");
        Files.write(g, TestData.idx(new int[] {2}, new byte[2]));
        assertTrue(assertThrows(DataFormatException.class, () -> IdxReader.read(g, 3)).getMessage()
                .contains("IDX rank 1, expected 3"));
    }

    @Test
    void truncatedDataIsAnErrorNotAPartialDataset() throws Exception {
        byte[] full = TestData.idx(new int[] {10, 28, 28}, TestData.randomBytes(7840, 1));
        Path plain = dir.resolve("short");
        Files.write(plain, Arrays.copyOf(full, full.length - 100));
        String m = assertThrows(DataFormatException.class, () -> IdxReader.read(plain, 3)).getMessage();
        assertTrue(m.contains("truncated: shape 10x28x28 needs 7840 bytes of data after the header, found only 7740"), m);

        byte[] gz = TestData.gzip(full);
        Path cut = dir.resolve("cut.gz");
        Files.write(cut, Arrays.copyOf(gz, gz.length / 2));
        String g = assertThrows(DataFormatException.class, () -> IdxReader.read(cut, 3)).getMessage();
        assertTrue(g.startsWith(cut.toString()) && (g.contains("truncated") || g.contains("corrupt")), g);

        Path header = dir.resolve("header-only");
        Files.write(header, Arrays.copyOf(full, 6));
        assertTrue(assertThrows(DataFormatException.class, () -> IdxReader.read(header, 3)).getMessage()
                .contains("truncated: the header needs 3 dimensions"));
    }

    @Test
    void trailingBytesAreRejected() throws Exception {
        byte[] full = TestData.idx(new int[] {3}, new byte[] {1, 2, 3});
        Path f = dir.resolve("long");
        Files.write(f, Arrays.copyOf(full, full.length + 2));
        assertTrue(assertThrows(DataFormatException.class, () -> IdxReader.read(f, 1)).getMessage()
                .contains("found 2 more bytes after them"));
    }

    @Test
    void mismatchedCountsSizesAndLabelsAreRejected() throws Exception {
        Path x = dir.resolve("x");
        Path y = dir.resolve("y");
        Files.write(x, TestData.idx(new int[] {4, 28, 28}, new byte[4 * 784]));
        Files.write(y, TestData.idx(new int[] {3}, new byte[3]));
        DataFormatException e = assertThrows(DataFormatException.class,
                () -> IdxReader.readSplit("fashion-mnist", "train", x, y, TEN, 28, 28));
        assertEquals(y, e.file());
        assertTrue(e.getMessage().contains("3 labels for the 4 images"), e.getMessage());

        Files.write(y, TestData.idx(new int[] {4}, new byte[] {0, 1, 10, 2}));
        assertTrue(assertThrows(DataFormatException.class, () -> IdxReader.readSplit("fashion-mnist", "train", x, y, TEN, 28, 28))
                .getMessage().contains("label 10 at index 2, expected 0..9"));

        Files.write(x, TestData.idx(new int[] {4, 32, 32}, new byte[4 * 1024]));
        assertTrue(assertThrows(DataFormatException.class, () -> IdxReader.readSplit("fashion-mnist", "train", x, y, TEN, 28, 28))
                .getMessage().contains("images are 32x32, expected 28x28"));
    }

    @Test
    void missingFileIsNamed() {
        Path f = dir.resolve("nope.gz");
        DataFormatException e = assertThrows(DataFormatException.class, () -> IdxReader.read(f, 3));
        assertEquals(f + ": file not found", e.getMessage());
    }

    /** The Debian package's files, when installed (bin/test installs them): sizes, hashes, and Tribuo agreement. */
    @Test
    void realFashionMnistTestSplitMatchesTribuo() throws Exception {
        Path d = Path.of(FashionMnistSource.PACKAGE_DIR);
        Path x = d.resolve("t10k-images-idx3-ubyte.gz");
        Path y = d.resolve("t10k-labels-idx1-ubyte.gz");
        assumeTrue(Files.isRegularFile(x) && Files.isRegularFile(y), "dataset-fashion-mnist is not installed");

        ImageDataset test = IdxReader.readSplit("fashion-mnist", "test", x, y, TEN, 28, 28);

        assertEquals(10_000, test.size());
        assertEquals(FashionMnistSourceTest.TEST_IMAGES_SHA256, test.sources().get(0).sha256());
        assertDensifiedEqual(new IDXDataSource<>(x, y, new LabelFactory()), test);
    }

    static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
