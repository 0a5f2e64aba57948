package io.flowbench.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One array in NumPy's {@code .npy} format (versions 1-3), as stored inside an {@code .npz} archive:
 * the dtype descriptor ({@code '|u1'}, {@code '<i8'}, ...), C or Fortran order, the shape and the raw
 * element bytes. Hand-written: ND4J's npy reader makes an INDArray of the whole file (gigabytes for ImageNet),
 * and the header is a short Python dict literal, read here with three patterns.
 */
record NpyArray(String name, String descr, boolean fortranOrder, long[] shape, byte[] data) {

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    /** Reads one array; {@code file} and {@code name} only label errors. */
    static NpyArray read(Path file, String name, InputStream in) throws IOException {
        String where = "array '" + name + "': ";
        byte[] magic = in.readNBytes(8);
        if (magic.length < 8 || !Arrays.equals(Arrays.copyOf(magic, 6), MAGIC)) {
            throw new DataFormatException(file, where + "expected the .npy magic \\x93NUMPY");
        }
        int major = magic[6];
        byte[] lenBytes = in.readNBytes(major == 1 ? 2 : 4);
        if (major < 1 || major > 3 || lenBytes.length < (major == 1 ? 2 : 4)) {
            throw new DataFormatException(file, where + ".npy version " + major + ", expected 1, 2 or 3");
        }
        ByteBuffer lb = ByteBuffer.wrap(Arrays.copyOf(lenBytes, 4)).order(ByteOrder.LITTLE_ENDIAN);
        int headerLength = lb.getInt();
        byte[] headerBytes = in.readNBytes(headerLength);
        if (headerLength < 0 || headerBytes.length < headerLength) {
            throw new DataFormatException(file, where + "truncated .npy header");
        }
        String header = new String(headerBytes, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        Matcher d = DESCR.matcher(header);
        Matcher f = FORTRAN.matcher(header);
        Matcher s = SHAPE.matcher(header);
        if (!d.find() || !f.find() || !s.find()) {
            throw new DataFormatException(file, where + "unreadable .npy header " + header.strip());
        }
        String[] dims = s.group(1).split(",");
        long[] shape = Arrays.stream(dims).map(String::strip).filter(x -> !x.isEmpty()).mapToLong(Long::parseLong).toArray();
        long count = 1;
        for (long dim : shape) {
            count *= dim;
        }
        int itemSize = itemSize(file, where, d.group(1));
        long bytes = count * itemSize;
        if (bytes > Integer.MAX_VALUE - 16) {
            throw new DataFormatException(file, where + "shape " + Arrays.toString(shape) + " is too large for one array");
        }
        byte[] data = in.readNBytes((int) bytes);
        if (data.length < bytes) {
            throw new DataFormatException(file, where + "truncated: shape " + Arrays.toString(shape) + " of "
                    + d.group(1) + " needs " + bytes + " bytes, found " + data.length);
        }
        return new NpyArray(name, d.group(1), f.group(1).equals("True"), shape, data);
    }

    private static int itemSize(Path file, String where, String descr) throws DataFormatException {
        if (descr.length() >= 3 && "<>|=".indexOf(descr.charAt(0)) >= 0 && "iub".indexOf(descr.charAt(1)) >= 0) {
            try {
                int n = Integer.parseInt(descr.substring(2));
                if (n == 1 || n == 2 || n == 4 || n == 8) {
                    return n;
                }
            } catch (NumberFormatException e) {
                // falls through to the error
            }
        }
        throw new DataFormatException(file, where + "dtype " + descr + ", expected an integer type (e.g. |u1, <i8)");
    }

    /** Whether the elements are unsigned bytes. */
    boolean isUnsignedBytes() {
        return descr.equals("|u1") || descr.equals("<u1") || descr.equals(">u1") || descr.equals("=u1");
    }

    /** The elements as ints (any integer dtype, either byte order). */
    int[] toInts(Path file) throws DataFormatException {
        char order = descr.charAt(0);
        boolean unsigned = descr.charAt(1) == 'u' || descr.charAt(1) == 'b';
        int size = Integer.parseInt(descr.substring(2));
        ByteBuffer buf = ByteBuffer.wrap(data).order(order == '>' ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        int[] out = new int[data.length / size];
        for (int i = 0; i < out.length; i++) {
            long v = switch (size) {
                case 1 -> unsigned ? buf.get() & 0xffL : buf.get();
                case 2 -> unsigned ? buf.getShort() & 0xffffL : buf.getShort();
                case 4 -> unsigned ? buf.getInt() & 0xffffffffL : buf.getInt();
                default -> buf.getLong();
            };
            if (v != (int) v) {
                throw new DataFormatException(file, "array '" + name + "': element " + i + " = " + v + " does not fit an int");
            }
            out[i] = (int) v;
        }
        return out;
    }
}
