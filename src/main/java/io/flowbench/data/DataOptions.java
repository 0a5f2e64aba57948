package io.flowbench.data;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * How to resolve a dataset into train / validation / test splits (a HOCON config maps onto these fields).
 *
 * @param dataset     registry name: fashion-mnist, mnist, cifar10, imagenet32, imagenet64, image-folder
 * @param path        a configured location (folder) searched instead of the default ones; null: search
 * @param subset      keep at most this many training examples after the validation split (0: all)
 * @param testSubset  keep at most this many test examples, a seeded random choice in original order (0: all)
 * @param validation  examples carved from train (seeded) for validation (0: none)
 * @param seed        seed of every random choice here (validation, subsets) and of batch shuffling
 * @param shuffle     whether validation and subset are seeded random choices (true) or taken in file order:
 *                    validation = the last examples, subset = the first ones (false)
 * @param nBits       bits per colour the model keeps (1..8); recorded only, pixels stay 0..255
 * @param levels      the model's multi-scale levels: height and width must be multiples of 2^levels
 * @param pad         what to do when they are not: fail, or zero-pad to the next multiple
 * @param resize      resize every image to resize x resize first (centre square crop, area average; 0: keep)
 * @param hflip       random horizontal flips of training batches; null: the dataset's default (natural
 *                    images: cifar10, imagenet*, image-folder)
 * @param channels    image-folder only: 1 (grey), 3 (RGB) or 0 (grey when every image is, else RGB)
 * @param testPercent image-folder only, without train/ and test/ sub-folders: the percentage of images
 *                    held out for test, chosen by a hash of each file's relative path (stable as files are added)
 */
public record DataOptions(String dataset, Path path, int subset, int testSubset, int validation, long seed,
                          boolean shuffle, int nBits, int levels, Padding pad, int resize, Boolean hflip,
                          int channels, int testPercent) {

    public DataOptions {
        Objects.requireNonNull(dataset, "dataset");
        Objects.requireNonNull(pad, "pad");
        check(subset >= 0, "subset must be >= 0, got " + subset);
        check(testSubset >= 0, "testSubset must be >= 0, got " + testSubset);
        check(validation >= 0, "validation must be >= 0, got " + validation);
        check(nBits >= 1 && nBits <= 8, "nBits must be in 1..8, got " + nBits);
        check(levels >= 0 && levels <= 10, "levels must be in 0..10, got " + levels);
        check(resize >= 0, "resize must be >= 0, got " + resize);
        check(channels == 0 || channels == 1 || channels == 3, "channels must be 0 (auto), 1 or 3, got " + channels);
        check(testPercent >= 1 && testPercent <= 99, "testPercent must be in 1..99, got " + testPercent);
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException("data options: " + message);
        }
    }

    /** Defaults: everything, no validation, seed 0, 8 bits, 0 levels, no padding, dataset's flips. */
    public static Builder builder(String dataset) {
        return new Builder(dataset);
    }

    /** A builder starting from these options. */
    public Builder toBuilder() {
        return new Builder(dataset).path(path).subset(subset).testSubset(testSubset).validation(validation).seed(seed)
                .shuffle(shuffle).nBits(nBits).levels(levels).pad(pad).resize(resize).hflip(hflip)
                .channels(channels).testPercent(testPercent);
    }

    /** Param names of the dataset and the training subset size. */
    public static final String NAME_PARAM = "data.name";
    public static final String SUBSET_PARAM = "data.subset";

    /** The options as flat parameters for a run tracker, keys prefixed {@code data.}. */
    public Map<String, String> toParams() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(NAME_PARAM, dataset);
        m.put("data.path", path == null ? "(searched)" : path.toString());
        m.put(SUBSET_PARAM, Integer.toString(subset));
        m.put("data.test_subset", Integer.toString(testSubset));
        m.put("data.validation", Integer.toString(validation));
        m.put("data.seed", Long.toString(seed));
        m.put("data.shuffle", Boolean.toString(shuffle));
        m.put("data.n_bits", Integer.toString(nBits));
        m.put("data.levels", Integer.toString(levels));
        m.put("data.pad", pad.toString());
        m.put("data.resize", Integer.toString(resize));
        m.put("data.hflip", hflip == null ? "auto" : hflip.toString());
        if (dataset.equals(ImageFolderSource.NAME)) {
            m.put("data.channels", Integer.toString(channels));
            m.put("data.test_percent", Integer.toString(testPercent));
        }
        return m;
    }

    /** Builds {@link DataOptions}. */
    public static final class Builder {
        private final String dataset;
        private Path path;
        private int subset;
        private int testSubset;
        private int validation;
        private long seed;
        private boolean shuffle = true;
        private int nBits = 8;
        private int levels;
        private Padding pad = Padding.NONE;
        private int resize;
        private Boolean hflip;
        private int channels;
        private int testPercent = 10;

        private Builder(String dataset) {
            this.dataset = dataset;
        }

        public Builder path(Path v) {
            path = v;
            return this;
        }

        public Builder subset(int v) {
            subset = v;
            return this;
        }

        public Builder testSubset(int v) {
            testSubset = v;
            return this;
        }

        public Builder validation(int v) {
            validation = v;
            return this;
        }

        public Builder seed(long v) {
            seed = v;
            return this;
        }

        public Builder shuffle(boolean v) {
            shuffle = v;
            return this;
        }

        public Builder nBits(int v) {
            nBits = v;
            return this;
        }

        public Builder levels(int v) {
            levels = v;
            return this;
        }

        public Builder pad(Padding v) {
            pad = v;
            return this;
        }

        public Builder resize(int v) {
            resize = v;
            return this;
        }

        public Builder hflip(Boolean v) {
            hflip = v;
            return this;
        }

        public Builder channels(int v) {
            channels = v;
            return this;
        }

        public Builder testPercent(int v) {
            testPercent = v;
            return this;
        }

        public DataOptions build() {
            return new DataOptions(dataset, path, subset, testSubset, validation, seed, shuffle, nBits, levels, pad,
                    resize, hflip, channels, testPercent);
        }
    }
}
