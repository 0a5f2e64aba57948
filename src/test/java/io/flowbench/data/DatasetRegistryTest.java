package io.flowbench.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetRegistryTest {

    @TempDir
    Path root;

    private DatasetRegistry registry;
    private byte[] trainPixels;
    private byte[] testPixels;

    @BeforeEach
    void writeSmallFashionMnist() throws Exception {
        Object[] w = TestData.writeFashionMnist(root.resolve("fashion-mnist"), 50, 12);
        trainPixels = (byte[]) w[0];
        testPixels = (byte[]) w[2];
        registry = DatasetRegistry.at(new DataLocations(root));
    }

    private DatasetSplits load(DataOptions.Builder b) throws Exception {
        return registry.load(b.build());
    }

    private static DataOptions.Builder fashion() {
        return DataOptions.builder("fashion-mnist");
    }

    /** Original index of each example of {@code d} within {@code pixels} (random images are unique). */
    private static int[] originalIndices(ImageDataset d, byte[] pixels) {
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < pixels.length / 784; i++) {
            index.put(Arrays.toString(Arrays.copyOfRange(pixels, i * 784, (i + 1) * 784)), i);
        }
        int[] out = new int[d.size()];
        for (int i = 0; i < d.size(); i++) {
            out[i] = index.get(Arrays.toString(d.example(i)));
        }
        return out;
    }

    @Test
    void theLocalFolderComesBeforeThePackageLocation() throws Exception {
        DatasetSplits s = load(fashion());
        assertEquals(50, s.train().size(), "data/fashion-mnist (50 images), not /usr/share/datasets (60,000)");
        assertEquals(12, s.test().size());
        assertArrayEquals(trainPixels, s.train().pixels());
        assertEquals(0, s.validation().size());
        assertFalse(s.hflip(), "Fashion-MNIST is not flipped unless asked");
        assertTrue(load(fashion().hflip(true)).hflip());
    }

    @Test
    void validationIsASeededDisjointChoiceFromTrain() throws Exception {
        DatasetSplits s = load(fashion().validation(10).seed(1));
        int[] train = originalIndices(s.train(), trainPixels);
        int[] validation = originalIndices(s.validation(), trainPixels);
        assertEquals(40, train.length);
        assertEquals(10, validation.length);
        Set<Integer> all = new HashSet<>();
        Arrays.stream(train).forEach(all::add);
        Arrays.stream(validation).forEach(all::add);
        assertEquals(50, all.size(), "disjoint, and together all of train");
        assertTrue(isIncreasing(train) && isIncreasing(validation), "chosen examples keep file order");

        DatasetSplits again = load(fashion().validation(10).seed(1));
        assertEquals(s.validation().provenance().contentSha256(), again.validation().provenance().contentSha256());
        assertEquals(s.train().provenance().contentSha256(), again.train().provenance().contentSha256());
        DatasetSplits other = load(fashion().validation(10).seed(2));
        assertFalse(Arrays.equals(validation, originalIndices(other.validation(), trainPixels)), "another seed, another choice");
        assertTrue(s.validation().derivation().get(0).contains("seeded random choice, seed 1"));
    }

    @Test
    void withoutShufflingValidationIsTheLastExamplesAndSubsetTheFirst() throws Exception {
        DatasetSplits s = load(fashion().validation(10).subset(15).shuffle(false));
        assertArrayEquals(java.util.stream.IntStream.range(40, 50).toArray(), originalIndices(s.validation(), trainPixels));
        assertArrayEquals(java.util.stream.IntStream.range(0, 15).toArray(), originalIndices(s.train(), trainPixels));
    }

    @Test
    void subsetsComeFromWhatValidationLeaves() throws Exception {
        DatasetSplits s = load(fashion().validation(10).subset(15).testSubset(4).seed(3));
        assertEquals(15, s.train().size());
        assertEquals(4, s.test().size());
        Set<Integer> validation = new HashSet<>();
        Arrays.stream(originalIndices(s.validation(), trainPixels)).forEach(validation::add);
        for (int i : originalIndices(s.train(), trainPixels)) {
            assertFalse(validation.contains(i));
        }
        assertTrue(isIncreasing(originalIndices(s.test(), testPixels)));
        assertTrue(s.train().derivation().get(0).startsWith("train: 15 of 50 examples (10 held out for validation, subset 15"),
                s.train().derivation().toString());
        assertEquals(50, load(fashion().subset(1000)).train().size(), "a subset larger than train keeps all 50");
    }

    @Test
    void levelsArePaddedOnlyWhenAsked() throws Exception {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> load(fashion().levels(3)));
        assertTrue(e.getMessage().contains("set pad = zero"));
        DatasetSplits s = load(fashion().levels(3).pad(Padding.ZERO).validation(5));
        for (ImageDataset d : List.of(s.train(), s.validation(), s.test())) {
            assertEquals(32, d.height());
            assertEquals(32, d.width());
        }
        assertEquals(28, load(fashion().levels(2)).train().height());
    }

    @Test
    void paramsRecordOptionsAndEverySplitsProvenance() throws Exception {
        DatasetSplits s = load(fashion().validation(5).nBits(5).seed(9));
        Map<String, String> p = s.params();
        assertEquals("fashion-mnist", p.get("data.name"));
        assertEquals("5", p.get("data.n_bits"));
        assertEquals("9", p.get("data.seed"));
        assertEquals("false", p.get("data.hflip"));
        assertEquals("45", p.get("data.train.examples"));
        assertEquals("5", p.get("data.validation.examples"));
        assertEquals("12", p.get("data.test.examples"));
        assertEquals(s.test().provenance().contentSha256(), p.get("data.test.content_sha256"));
        assertEquals(load(fashion().validation(5).seed(9)).train().provenance().contentSha256(),
                s.train().provenance().contentSha256(), "n_bits is recorded only: pixels stay 8-bit, the model reduces bits");
        assertTrue(s.provenanceJson().contains("\"validation\""));
    }

    @Test
    void aFolderHoldingPartOfTheDatasetIsAnErrorNotAFallBackToThePackageCopy() throws Exception {
        Files.delete(root.resolve("fashion-mnist/t10k-labels-idx1-ubyte.gz"));
        DatasetNotFoundException e = assertThrows(DatasetNotFoundException.class, () -> load(fashion()));
        assertTrue(e.getMessage().startsWith(root.resolve("fashion-mnist") + " holds only part of dataset fashion-mnist: "
                + "missing t10k-labels-idx1-ubyte.gz."), e.getMessage());
    }

    @Test
    void aConfiguredPathIsSearchedInstead() throws Exception {
        Path elsewhere = root.resolve("elsewhere");
        TestData.writeFashionMnist(elsewhere, 9, 3);
        assertEquals(9, load(fashion().path(elsewhere)).train().size());
        DatasetNotFoundException e = assertThrows(DatasetNotFoundException.class, () -> load(fashion().path(root.resolve("nothing"))));
        assertTrue(e.getMessage().contains("not found in " + root.resolve("nothing") + ". Check data.path"), e.getMessage());
        assertTrue(e.getMessage().contains("bin/flowbench data install fashion-mnist"), e.getMessage());
    }

    @Test
    void missingDatasetSaysWhereItLookedAndWhatToFetch() {
        DatasetNotFoundException e = assertThrows(DatasetNotFoundException.class,
                () -> registry.load(DataOptions.builder("cifar10").build()));
        assertTrue(e.getMessage().startsWith("dataset cifar10 not found in " + root.resolve("cifar10") + "."), e.getMessage());
        assertTrue(e.getMessage().contains("cifar-10-binary.tar.gz"), e.getMessage());
    }

    @Test
    void badNamesAndOptionsAreRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> registry.load(DataOptions.builder("svhn").build()));
        assertEquals("unknown dataset 'svhn'; known: fashion-mnist, mnist, cifar10, imagenet32, imagenet64, image-folder",
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> load(fashion().validation(50)));
        assertThrows(IllegalArgumentException.class, () -> fashion().nBits(9).build());
        assertEquals(Padding.ZERO, Padding.parse(" Zero"));
        DataOptions full = fashion().path(root).subset(3).testSubset(4).validation(5).seed(6).shuffle(false).nBits(7)
                .levels(1).pad(Padding.ZERO).resize(8).hflip(true).channels(3).testPercent(20).build();
        assertEquals(full, full.toBuilder().build());
    }

    @Test
    void theDataRootComesFromThePropertyElseTheEnvironmentElseData() {
        Map<String, String> env = Map.of(DataLocations.ENVIRONMENT, "/srv/datasets");
        assertEquals(Path.of("/opt/d"), DataLocations.from("/opt/d", env).dataRoot());
        assertEquals(Path.of("/srv/datasets"), DataLocations.from(null, env).dataRoot());
        assertEquals(Path.of("data").toAbsolutePath(), DataLocations.from(null, Map.of()).dataRoot());
        assertEquals(Path.of("/srv/datasets/mnist"), DataLocations.from("", env).local("mnist"));
        assertNotEquals(Padding.NONE, Padding.parse("zero"));
    }

    private static boolean isIncreasing(int[] a) {
        for (int i = 1; i < a.length; i++) {
            if (a[i] <= a[i - 1]) {
                return false;
            }
        }
        return true;
    }
}
