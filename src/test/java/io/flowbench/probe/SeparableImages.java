package io.flowbench.probe;

import io.flowbench.data.ImageDataset;
import io.flowbench.data.TestData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;

/**
 * 28x28 grey images in 10 classes that a linear classifier separates on pixels: class c lights rows 2c+4 and
 * 2c+5 (values 180..255) over a background of noise (0..99). Written as a dataset split, or as the four
 * Fashion-MNIST files a run loads.
 */
public final class SeparableImages {
    public static final int CLASSES = 10;
    static final int SIDE = 28;

    private SeparableImages() {
    }

    /** {@code n} images with classes in turn (0, 1, ..., 9, 0, ...); pixels drawn with {@code seed}. */
    public static byte[] pixels(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        byte[] out = new byte[n * SIDE * SIDE];
        for (int i = 0; i < n; i++) {
            int lit = 2 * (i % CLASSES) + 4;
            for (int y = 0; y < SIDE; y++) {
                boolean band = y == lit || y == lit + 1;
                for (int x = 0; x < SIDE; x++) {
                    out[(i * SIDE + y) * SIDE + x] = (byte) (band ? 180 + random.nextInt(76) : random.nextInt(100));
                }
            }
        }
        return out;
    }

    /** The label of image i: its class, or, with {@code shuffleSeed} non-null, a random permutation of the classes. */
    public static int[] labels(int n, Long shuffleSeed) {
        List<Integer> labels = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            labels.add(i % CLASSES);
        }
        if (shuffleSeed != null) {
            Collections.shuffle(labels, new Random(shuffleSeed));
        }
        return labels.stream().mapToInt(Integer::intValue).toArray();
    }

    public static ImageDataset split(String name, int n, long seed, Long shuffleSeed) {
        return ImageDataset.builder("separable", name, 1, SIDE, SIDE).numClasses(CLASSES)
                .addAll(pixels(n, seed), n, labels(n, shuffleSeed)).build();
    }

    /** The four gzipped Fashion-MNIST IDX files in {@code dir}, training and test images drawn apart. */
    public static void writeFashionMnist(Path dir, int nTrain, int nTest, Long shuffleSeed) throws IOException {
        Files.createDirectories(dir);
        write(dir, "train", nTrain, 1, shuffleSeed);
        write(dir, "t10k", nTest, 2, shuffleSeed == null ? null : shuffleSeed + 1);
    }

    private static void write(Path dir, String prefix, int n, long seed, Long shuffleSeed) throws IOException {
        int[] labels = labels(n, shuffleSeed);
        byte[] labelBytes = new byte[n];
        for (int i = 0; i < n; i++) {
            labelBytes[i] = (byte) labels[i];
        }
        Files.write(dir.resolve(prefix + "-images-idx3-ubyte.gz"),
                TestData.gzip(TestData.idx(new int[] {n, SIDE, SIDE}, pixels(n, seed))));
        Files.write(dir.resolve(prefix + "-labels-idx1-ubyte.gz"), TestData.gzip(TestData.idx(new int[] {n}, labelBytes)));
    }
}
