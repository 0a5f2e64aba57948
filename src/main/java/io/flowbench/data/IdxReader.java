package io.flowbench.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads IDX files (the MNIST / Fashion-MNIST format), gzipped or not, holding unsigned bytes.
 *
 * <p>Why not Tribuo's {@code IDXDataSource}: it decodes the file into one sparse {@code Example} per
 * image, each pixel a {@code Feature} object named by its flat index. On this project's 2-core machine
 * that took 8-11 s and kept about 300 MB of heap for the 60,000 Fashion-MNIST training images (47 MB as
 * bytes), every run, only for us to densify the features back into bytes. This reader decodes straight
 * into bytes (the whole registry load of Fashion-MNIST train and test takes about 0.5 s) and checks more (magic, element type, rank, dimensions, truncation,
 * trailing bytes). The provenance keeps Tribuo's style: a SHA-256 of each file as read (the very
 * {@code resource-hash} IDXDataSource records; a test checks both agree) in {@link DataProvenance}, which
 * has a Tribuo {@code DataSourceProvenance} view.
 */
public final class IdxReader {

    /** IDX element type code for unsigned bytes. */
    static final int UBYTE = 0x08;

    private IdxReader() {
    }

    /** A decoded IDX tensor of unsigned bytes. */
    public record IdxArray(int[] shape, byte[] data, SourceFile source) {
        /** The number of items (the first dimension). */
        public int count() {
            return shape[0];
        }
    }

    /** Reads an IDX file of unsigned bytes with the given rank (1 for labels, 3 for images). */
    public static IdxArray read(Path file, int expectedRank) throws IOException {
        try (SourceFile.Reading reading = SourceFile.Reading.open(file)) {
            byte[] data;
            int[] shape;
            InputStream in = new BufferedInputStream(reading.stream(), 1 << 16);
            in.mark(2);
            boolean gzip = in.read() == 0x1f && in.read() == 0x8b;
            in.reset();
            try {
                InputStream body = gzip ? new GZIPInputStream(in, 1 << 16) : in;
                shape = readHeader(file, body, expectedRank);
                long total = 1;
                for (int d : shape) {
                    total *= d;
                }
                if (total > Integer.MAX_VALUE - 16) {
                    throw new DataFormatException(file, "shape " + describe(shape) + " is too large to load");
                }
                data = body.readNBytes((int) total);
                if (data.length < total) {
                    throw new DataFormatException(file, "truncated: shape " + describe(shape) + " needs " + total
                            + " bytes of data after the header, found only " + data.length);
                }
                long extra = body.transferTo(java.io.OutputStream.nullOutputStream());
                if (extra > 0) {
                    throw new DataFormatException(file, "expected exactly " + total + " bytes of data for shape "
                            + describe(shape) + ", found " + extra + " more bytes after them");
                }
            } catch (ZipException | EOFException e) {
                throw new DataFormatException(file, "corrupt or truncated gzip stream (" + e.getMessage() + ")", e);
            }
            return new IdxArray(shape, data, reading.finish());
        }
    }

    /**
     * Decodes an image file (rank 3: count, rows, columns) and its label file (rank 1) into one split,
     * checking that the counts agree, the images are {@code rows x cols} and every label is below
     * {@code classNames.size()}.
     */
    static ImageDataset readSplit(String dataset, String split, Path images, Path labels, List<String> classNames,
                                  int rows, int cols) throws IOException {
        IdxArray x = read(images, 3);
        IdxArray y = read(labels, 1);
        if (x.shape()[1] != rows || x.shape()[2] != cols) {
            throw new DataFormatException(images, "images are " + x.shape()[1] + "x" + x.shape()[2] + ", expected "
                    + rows + "x" + cols);
        }
        if (x.count() != y.count()) {
            throw new DataFormatException(labels, y.count() + " labels for the " + x.count() + " images in " + images);
        }
        int[] l = new int[y.count()];
        for (int i = 0; i < l.length; i++) {
            l[i] = y.data()[i] & 0xff;
            if (l[i] >= classNames.size()) {
                throw new DataFormatException(labels, "label " + l[i] + " at index " + i + ", expected 0.."
                        + (classNames.size() - 1));
            }
        }
        return ImageDataset.builder(dataset, split, 1, rows, cols).expectedSize(x.count())
                .numClasses(classNames.size()).classNames(classNames)
                .source(x.source()).source(y.source())
                .addAll(x.data(), x.count(), l).build();
    }

    private static int[] readHeader(Path file, InputStream in, int expectedRank) throws IOException {
        byte[] magic = in.readNBytes(4);
        if (magic.length < 4) {
            throw new DataFormatException(file, "truncated: expected a 4-byte IDX magic number, file has "
                    + magic.length + " bytes");
        }
        if (magic[0] != 0 || magic[1] != 0) {
            throw new DataFormatException(file, String.format(
                    "not an IDX file: magic number 0x%02x%02x%02x%02x, expected 0x0000%02x%02x (unsigned bytes, rank %d)",
                    magic[0], magic[1], magic[2], magic[3], UBYTE, expectedRank, expectedRank));
        }
        int type = magic[2] & 0xff;
        int rank = magic[3] & 0xff;
        if (type != UBYTE) {
            throw new DataFormatException(file, String.format(
                    "IDX element type 0x%02x, expected 0x%02x (unsigned bytes)", type, UBYTE));
        }
        if (rank != expectedRank) {
            throw new DataFormatException(file, "IDX rank " + rank + ", expected " + expectedRank
                    + (expectedRank == 1 ? " (a label file)" : " (an image file: count, rows, columns)"));
        }
        byte[] dims = in.readNBytes(4 * rank);
        if (dims.length < 4 * rank) {
            throw new DataFormatException(file, "truncated: the header needs " + rank + " dimensions");
        }
        int[] shape = new int[rank];
        for (int i = 0; i < rank; i++) {
            shape[i] = ((dims[4 * i] & 0xff) << 24) | ((dims[4 * i + 1] & 0xff) << 16)
                    | ((dims[4 * i + 2] & 0xff) << 8) | (dims[4 * i + 3] & 0xff);
            if (shape[i] <= 0) {
                throw new DataFormatException(file, "dimension " + i + " is " + shape[i]
                        + ", expected a positive size (shape " + Arrays.toString(shape) + ")");
            }
        }
        return shape;
    }

    static String describe(int[] shape) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < shape.length; i++) {
            sb.append(i == 0 ? "" : "x").append(shape[i]);
        }
        return sb.toString();
    }
}
