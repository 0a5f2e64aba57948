package io.flowbench.data;

import io.flowbench.util.Sha256;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One immutable in-memory split of images: unsigned 8-bit pixels in NCHW order (example, channel, row,
 * column), an integer label per example (-1 when unlabeled), and where the data came from.
 *
 * <p>Pixels stay 0..255; bit reduction and dequantization belong to the model. Pixels are stored in
 * blocks of at most 1 GiB, so splits larger than one Java array (ImageNet 32x32 train is 3.9 GB) fit when
 * the heap does. Copying a batch into floats is one tight loop per example ({@link #copyAsFloats}).
 */
public final class ImageDataset {

    /** Largest block of pixel bytes (examples never straddle blocks). */
    static final int MAX_BLOCK_BYTES = 1 << 30;

    private final String dataset;
    private final String split;
    private final int channels;
    private final int height;
    private final int width;
    private final int exampleLength;
    private final int size;
    private final int perBlock;
    private final byte[][] blocks;
    private final int[] labels;
    private final int numClasses;
    private final List<String> classNames;
    private final List<SourceFile> sources;
    private final List<String> derivation;
    private volatile DataProvenance provenance;

    private ImageDataset(Builder b, byte[][] blocks) {
        this.dataset = b.dataset;
        this.split = b.split;
        this.channels = b.channels;
        this.height = b.height;
        this.width = b.width;
        this.exampleLength = b.exampleLength;
        this.size = b.size;
        this.perBlock = b.perBlock;
        this.blocks = blocks;
        this.labels = Arrays.copyOf(b.labels, b.size);
        this.numClasses = b.numClasses;
        this.classNames = List.copyOf(b.classNames);
        this.sources = List.copyOf(b.sources);
        this.derivation = List.copyOf(b.derivation);
    }

    /** Starts a split of images with the given geometry. */
    public static Builder builder(String dataset, String split, int channels, int height, int width) {
        return new Builder(dataset, split, channels, height, width);
    }

    /** The registry name of the dataset this split belongs to, e.g. {@code fashion-mnist}. */
    public String dataset() {
        return dataset;
    }

    /** {@code train}, {@code validation} or {@code test}. */
    public String split() {
        return split;
    }

    public int size() {
        return size;
    }

    public int channels() {
        return channels;
    }

    public int height() {
        return height;
    }

    public int width() {
        return width;
    }

    /** Pixels per example, C*H*W. */
    public int exampleLength() {
        return exampleLength;
    }

    /** The number of classes; 0 when the split is unlabeled. */
    public int numClasses() {
        return numClasses;
    }

    public boolean labeled() {
        return numClasses > 0;
    }

    /** Class names by label (may be empty when the source names none). */
    public List<String> classNames() {
        return classNames;
    }

    /** The label of example i, or -1 when unlabeled. */
    public int label(int i) {
        return labels[Objects.checkIndex(i, size)];
    }

    /** A copy of all labels (-1 for unlabeled examples). */
    public int[] labels() {
        return labels.clone();
    }

    /** The unsigned value (0..255) of one pixel. */
    public int pixel(int i, int c, int y, int x) {
        Objects.checkIndex(i, size);
        Objects.checkIndex(c, channels);
        Objects.checkIndex(y, height);
        Objects.checkIndex(x, width);
        return blocks[i / perBlock][(i % perBlock) * exampleLength + (c * height + y) * width + x] & 0xff;
    }

    /** Copies example i's C*H*W pixel bytes into {@code dst} at {@code offset}. */
    public void copyExample(int i, byte[] dst, int offset) {
        Objects.checkIndex(i, size);
        System.arraycopy(blocks[i / perBlock], (i % perBlock) * exampleLength, dst, offset, exampleLength);
    }

    /** Example i's pixel bytes (a copy). */
    public byte[] example(int i) {
        byte[] out = new byte[exampleLength];
        copyExample(i, out, 0);
        return out;
    }

    /** All pixel bytes in NCHW order (a copy; fails for splits over 2 GiB, use {@link #copyExample}). */
    public byte[] pixels() {
        long total = (long) size * exampleLength;
        if (total > Integer.MAX_VALUE - 16) {
            throw new IllegalStateException(dataset + "/" + split + " has " + total + " pixel bytes, more than one array holds");
        }
        byte[] out = new byte[(int) total];
        for (int i = 0; i < size; i++) {
            copyExample(i, out, i * exampleLength);
        }
        return out;
    }

    /**
     * Writes examples {@code order[from..from+count)} as floats holding the integer pixel values 0..255 into
     * {@code out} (NCHW, {@code count * C*H*W} values from index 0). Where {@code flip} is non-null and
     * {@code flip[from + j]} is set, the j-th example is mirrored left-right.
     */
    public void copyAsFloats(int[] order, int from, int count, boolean[] flip, float[] out) {
        if (out.length < count * exampleLength) {
            throw new IllegalArgumentException("output holds " + out.length + " floats, need " + count * exampleLength);
        }
        for (int j = 0; j < count; j++) {
            int i = Objects.checkIndex(order[from + j], size);
            byte[] block = blocks[i / perBlock];
            int src = (i % perBlock) * exampleLength;
            int dst = j * exampleLength;
            if (flip != null && flip[from + j]) {
                for (int row = 0; row < channels * height; row++, src += width, dst += width) {
                    for (int x = 0; x < width; x++) {
                        out[dst + x] = block[src + width - 1 - x] & 0xff;
                    }
                }
            } else {
                for (int k = 0; k < exampleLength; k++) {
                    out[dst + k] = block[src + k] & 0xff;
                }
            }
        }
    }

    /**
     * A new split holding the given examples in the given order (indices may repeat), named {@code split},
     * with {@code step} appended to the derivation recorded in provenance.
     */
    public ImageDataset select(int[] indices, String newSplit, String step) {
        Builder b = builder(dataset, newSplit, channels, height, width).like(this).expectedSize(indices.length);
        b.derivation.add(step);
        for (int i : indices) {
            Objects.checkIndex(i, size);
            b.add(blocks[i / perBlock], (i % perBlock) * exampleLength, labels[i]);
        }
        return b.build();
    }

    /**
     * {@code count} examples drawn at random without replacement ({@code seed}), kept in split order, with
     * {@code purpose} recorded in the derivation; this split itself when {@code count} is 0 or at least its size.
     */
    public ImageDataset sample(int count, long seed, String purpose) {
        if (count == 0 || count >= size) {
            return this;
        }
        int[] chosen = Arrays.copyOf(Shuffling.permutation(size, Shuffling.random(seed, 0)), count);
        Arrays.sort(chosen);
        return select(chosen, split, count + " at random (seed " + seed + ") for " + purpose);
    }

    /** A builder for a split with the same dataset, split name, classes, sources and derivation as this one. */
    Builder derive(int newChannels, int newHeight, int newWidth, String step) {
        Builder b = builder(dataset, split, newChannels, newHeight, newWidth).like(this).expectedSize(size);
        b.derivation.add(step);
        return b;
    }

    /** The source files this split was decoded from. */
    public List<SourceFile> sources() {
        return sources;
    }

    /** The steps applied after decoding (shuffles, selections, padding, resizing), in order. */
    public List<String> derivation() {
        return derivation;
    }

    /**
     * Where this split came from, with a SHA-256 of its decoded content (computed on first call).
     * The content hash covers the header {@code flowbench-images/1 N C H W\n}, the pixel bytes in NCHW order
     * and the labels as big-endian 32-bit integers: two runs with equal content hashes saw the same data.
     */
    public DataProvenance provenance() {
        DataProvenance p = provenance;
        if (p == null) {
            p = new DataProvenance(dataset, split, sources, size, channels, height, width, numClasses,
                    contentSha256(), derivation);
            provenance = p;
        }
        return p;
    }

    private String contentSha256() {
        MessageDigest md = Sha256.newDigest();
        md.update(String.format("flowbench-images/1 %d %d %d %d%n", size, channels, height, width)
                .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        for (int b = 0; b < blocks.length; b++) {
            int n = Math.min(perBlock, size - b * perBlock);
            md.update(blocks[b], 0, n * exampleLength);
        }
        ByteBuffer lb = ByteBuffer.allocate(4 * size);
        lb.asIntBuffer().put(labels);
        md.update(lb.array());
        return Sha256.hex(md.digest());
    }

    @Override
    public String toString() {
        return dataset + "/" + split + " (" + size + " x " + channels + "x" + height + "x" + width
                + (labeled() ? ", " + numClasses + " classes" : ", unlabeled") + ")";
    }

    /** Collects examples (pixel bytes and labels) into blocks; build once. */
    public static final class Builder {
        private final String dataset;
        private final String split;
        private final int channels;
        private final int height;
        private final int width;
        private final int exampleLength;
        private int perBlock;
        private final List<byte[]> full = new ArrayList<>();
        private byte[] current = new byte[0];
        private int inCurrent;
        private int size;
        private int[] labels = new int[16];
        private int numClasses;
        private List<String> classNames = List.of();
        private final List<SourceFile> sources = new ArrayList<>();
        private final List<String> derivation = new ArrayList<>();
        private int expected = -1;

        private Builder(String dataset, String split, int channels, int height, int width) {
            if (channels <= 0 || height <= 0 || width <= 0) {
                throw new IllegalArgumentException("image shape must be positive, got " + channels + "x" + height + "x" + width);
            }
            this.dataset = Objects.requireNonNull(dataset);
            this.split = Objects.requireNonNull(split);
            this.channels = channels;
            this.height = height;
            this.width = width;
            long len = (long) channels * height * width;
            if (len > MAX_BLOCK_BYTES) {
                throw new IllegalArgumentException("one image of " + channels + "x" + height + "x" + width + " is too large");
            }
            this.exampleLength = (int) len;
            this.perBlock = MAX_BLOCK_BYTES / exampleLength;
        }

        private Builder like(ImageDataset d) {
            numClasses = d.numClasses;
            classNames = d.classNames;
            sources.addAll(d.sources);
            derivation.addAll(d.derivation);
            return this;
        }

        /** Caps blocks at this many bytes (tests use small blocks); call before adding examples. */
        Builder blockBytes(int bytes) {
            if (size > 0) {
                throw new IllegalStateException("set the block size before adding examples");
            }
            perBlock = Math.max(1, bytes / exampleLength);
            return this;
        }

        /** Sizes the first block for this many examples (a hint; more may be added). */
        public Builder expectedSize(int n) {
            this.expected = n;
            return this;
        }

        /** The number of classes (0: unlabeled; every label must then be -1). */
        public Builder numClasses(int n) {
            if (n < 0) {
                throw new IllegalArgumentException("numClasses must be >= 0, got " + n);
            }
            this.numClasses = n;
            return this;
        }

        public Builder classNames(List<String> names) {
            this.classNames = List.copyOf(names);
            return this;
        }

        public Builder source(SourceFile file) {
            sources.add(file);
            return this;
        }

        public Builder sources(List<SourceFile> files) {
            sources.addAll(files);
            return this;
        }

        public int size() {
            return size;
        }

        /** Adds one example: {@code C*H*W} bytes of {@code src} from {@code offset}, NCHW. */
        public Builder add(byte[] src, int offset, int label) {
            if (inCurrent == perBlock) {
                full.add(current);
                current = new byte[0];
                inCurrent = 0;
            }
            int need = (inCurrent + 1) * exampleLength;
            if (current.length < need) {
                int remaining = expected > size ? expected - size : 0;
                int examples = Math.max(Math.max(inCurrent + 1, inCurrent + remaining), Math.min(perBlock, 2 * inCurrent + 64));
                current = Arrays.copyOf(current, Math.min(perBlock, examples) * exampleLength);
            }
            System.arraycopy(src, offset, current, inCurrent * exampleLength, exampleLength);
            if (size == labels.length) {
                labels = Arrays.copyOf(labels, Math.max(size * 2, expected > size ? expected : 16));
            }
            labels[size] = label;
            inCurrent++;
            size++;
            return this;
        }

        /** Adds {@code count} consecutive examples from {@code src} (offset 0), labels from {@code labels[0..count)}. */
        public Builder addAll(byte[] src, int count, int[] exampleLabels) {
            for (int i = 0; i < count; i++) {
                add(src, i * exampleLength, exampleLabels == null ? -1 : exampleLabels[i]);
            }
            return this;
        }

        public ImageDataset build() {
            for (int i = 0; i < size; i++) {
                int l = labels[i];
                if (numClasses == 0 ? l != -1 : (l < 0 || l >= numClasses)) {
                    throw new IllegalStateException(dataset + "/" + split + ": example " + i + " has label " + l
                            + (numClasses == 0 ? ", expected -1 (unlabeled)" : ", expected 0.." + (numClasses - 1)));
                }
            }
            if (!classNames.isEmpty() && classNames.size() != numClasses) {
                throw new IllegalStateException(classNames.size() + " class names for " + numClasses + " classes");
            }
            List<byte[]> all = new ArrayList<>(full);
            if (inCurrent > 0) {
                all.add(current.length == inCurrent * exampleLength ? current : Arrays.copyOf(current, inCurrent * exampleLength));
            }
            return new ImageDataset(this, all.toArray(new byte[0][]));
        }
    }
}
