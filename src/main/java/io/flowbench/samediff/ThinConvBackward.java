package io.flowbench.samediff;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;

/**
 * The gradients of a stride-1 "same" k x k NHWC convolution (k odd, YXIO weights) whose input or output has
 * few channels: the first and last convolutions of the coupling networks, 2-8 channels against 128. Put in
 * place of conv2d_bp by {@link BackwardRewrites}. Only the thin map is copied, k*k times shifted (im2col),
 * and the rest is two matrix products (and, for a thin input, the blocks of one added back: col2im). With
 * padding p = k / 2 and, for kernel position (i, j), the offset (di, dj) = (i - p, j - p):
 * <ul>
 * <li>thin input: X[(n,h,w), (i,j,c)] = x[n, h+di, w+dj, c], 0 outside the map, so y = X W + b with W read as
 * [k k C_in, C_out]; dW = X^T dy, and dx adds the blocks of dy W^T back at their offsets (col2im);</li>
 * <li>thin output: D[(n,h,w), (i,j,o)] = dy[n, h-di, w-dj, o], 0 outside, so dx = D W' with W'[(i,j,o), c] =
 * W[i,j,c,o], and x^T D is dW with its axes in the order (c, i, j, o);</li>
 * <li>db = 1^T dy.</li>
 * </ul>
 * conv2d_bp of 1.0.0-M2.1 runs these at 47-68 GFLOP/s (oneDNN 2.3's backward kernels), where its forward
 * convolutions reach 115-300 (docs/speed.md).
 */
final class ThinConvBackward extends BackwardInJava {
    /** The most channels of the thin side this op is used for. */
    static final long MAX_THIN_CHANNELS = 16;

    private final OnesRow ones = new OnesRow();
    /** The thin map's shifted copies, [N, H, W, k, k, thin channels] (X or D above). */
    private INDArray columns;
    /** Thin input: dy W^T, shaped like {@link #columns}. Thin output: x^T D, [C_in, k, k, C_out]. */
    private INDArray product;
    /** Thin output: W', [k, k, C_out, C_in]. */
    private INDArray permutedWeights;
    /** For each entry of {@link #columns}, the index of the thin map's element it copies, or -1 (outside). */
    private int[] source;
    private long[] sourceShape;
    /**
     * Java copies of the thin map and of the columns (float[] or double[]), reused from call to call; for a thin
     * input, {@link #columnValues} then holds dy W^T and {@link #map} sums dx, which has x's shape.
     */
    private Object map;
    private Object columnValues;

    /** Takes the place of {@code replaced} (a conv2d_bp) in its graph, under its name. */
    ThinConvBackward(DynamicCustomOp replaced) {
        super(replaced);
    }

    @Override
    public String opName() {
        return "flowbench_thin_conv_bp";
    }

    @Override
    public void compute(INDArray[] inputs, INDArray[] outputs) {
        INDArray x = NativeCalls.contiguous(inputs[0]);
        INDArray weights = NativeCalls.contiguous(inputs[1]);
        INDArray dy = NativeCalls.contiguous(inputs[inputs.length - 1]);
        INDArray dx = NativeCalls.requireContiguous(outputs[0]);
        INDArray dw = NativeCalls.requireContiguous(outputs[1]);
        long rows = x.length() / x.size(3);
        try (NativeCalls calls = new NativeCalls()) {
            if (x.size(3) <= dy.size(3)) {
                thinInput(calls, x, weights, dy, dx, dw);
            } else {
                thinOutput(calls, x, weights, dy, dx, dw);
            }
            if (outputs.length == 3) {
                calls.matmul(ones.of(rows, dy.dataType()), NativeCalls.matrix(dy, rows, dy.size(3)), false, false,
                        NativeCalls.outputMatrix(outputs[2], 1, dy.size(3)));
            }
        }
    }

    private void thinInput(NativeCalls calls, INDArray x, INDArray weights, INDArray dy, INDArray dx, INDArray dw) {
        long in = x.size(3);
        long out = dy.size(3);
        long k = weights.size(0);
        long rows = x.length() / in;
        fillColumns(x, (int) k, 1);
        product = NativeCalls.workArray(product, x.dataType(), columns.shape());
        INDArray dy2d = NativeCalls.matrix(dy, rows, out);
        calls.matmul(NativeCalls.matrix(columns, rows, k * k * in), dy2d, true, false,
                NativeCalls.outputMatrix(dw, k * k * in, out));
        calls.matmul(dy2d, NativeCalls.matrix(weights, k * k * in, out), false, true,
                NativeCalls.matrix(product, rows, k * k * in));
        read(product, columnValues);
        if (map instanceof float[] m) {
            Arrays.fill(m, 0f);
            float[] c = (float[]) columnValues;
            for (int e = 0; e < source.length; e++) {
                if (source[e] >= 0) {
                    m[source[e]] += c[e];
                }
            }
        } else {
            double[] m = (double[]) map;
            Arrays.fill(m, 0.0);
            double[] c = (double[]) columnValues;
            for (int e = 0; e < source.length; e++) {
                if (source[e] >= 0) {
                    m[source[e]] += c[e];
                }
            }
        }
        write(map, dx);
    }

    private void thinOutput(NativeCalls calls, INDArray x, INDArray weights, INDArray dy, INDArray dx, INDArray dw) {
        long in = x.size(3);
        long out = dy.size(3);
        long k = weights.size(0);
        long rows = x.length() / in;
        fillColumns(dy, (int) k, -1);
        product = NativeCalls.workArray(product, x.dataType(), in, k, k, out);
        permutedWeights = NativeCalls.workArray(permutedWeights, x.dataType(), k, k, out, in);
        calls.assign(permutedWeights, NativeCalls.view(weights, new long[] {k, k, out, in},
                new long[] {k * in * out, in * out, 1, out}, 0));
        INDArray columns2d = NativeCalls.matrix(columns, rows, k * k * out);
        calls.matmul(columns2d, NativeCalls.matrix(permutedWeights, k * k * out, in), false, false,
                NativeCalls.outputMatrix(dx, rows, in));
        calls.matmul(NativeCalls.matrix(x, rows, in), columns2d, true, false, NativeCalls.matrix(product, in, k * k * out));
        calls.assign(NativeCalls.view(dw, new long[] {in, k, k, out}, new long[] {out, k * in * out, in * out, 1}, 0), product);
    }

    /**
     * Fills {@link #columns} from the thin map [N, H, W, C]: entry (n, h, w, i, j, c) is map[n, h + di, w + dj, c]
     * with (di, dj) = sign * (i - p, j - p), or 0 outside the map. Copied in Java through an index table, since
     * libnd4j's assign between strided views of 2-8 channels takes 5 ns an element.
     */
    private void fillColumns(INDArray thin, int k, int sign) {
        long[] shape = {thin.size(0), thin.size(1), thin.size(2), k, k, thin.size(3)};
        columns = NativeCalls.workArray(columns, thin.dataType(), shape);
        if (!Arrays.equals(shape, sourceShape)) {
            source = sourceIndices(shape, sign);
            sourceShape = shape;
        }
        map = javaArray(map, thin.dataType(), thin.length());
        columnValues = javaArray(columnValues, thin.dataType(), columns.length());
        read(thin, map);
        if (map instanceof float[] m) {
            float[] c = (float[]) columnValues;
            for (int e = 0; e < source.length; e++) {
                c[e] = source[e] < 0 ? 0f : m[source[e]];
            }
        } else {
            double[] m = (double[]) map;
            double[] c = (double[]) columnValues;
            for (int e = 0; e < source.length; e++) {
                c[e] = source[e] < 0 ? 0.0 : m[source[e]];
            }
        }
        write(columnValues, columns);
    }

    private static int[] sourceIndices(long[] shape, int sign) {
        int n = (int) shape[0];
        int height = (int) shape[1];
        int width = (int) shape[2];
        int k = (int) shape[3];
        int channels = (int) shape[5];
        int p = k / 2;
        int[] indices = new int[Math.toIntExact(n * (long) height * width * k * k * channels)];
        int e = 0;
        for (int b = 0; b < n; b++) {
            for (int h = 0; h < height; h++) {
                for (int w = 0; w < width; w++) {
                    for (int i = 0; i < k; i++) {
                        for (int j = 0; j < k; j++) {
                            int sh = h + sign * (i - p);
                            int sw = w + sign * (j - p);
                            boolean inside = sh >= 0 && sh < height && sw >= 0 && sw < width;
                            int first = ((b * height + sh) * width + sw) * channels;
                            for (int c = 0; c < channels; c++) {
                                indices[e++] = inside ? first + c : -1;
                            }
                        }
                    }
                }
            }
        }
        return indices;
    }

    private static Object javaArray(Object current, DataType type, long length) {
        int n = Math.toIntExact(length);
        return switch (type) {
            case FLOAT -> current instanceof float[] a && a.length == n ? a : new float[n];
            case DOUBLE -> current instanceof double[] a && a.length == n ? a : new double[n];
            default -> throw new IllegalArgumentException(type + " maps: this op reads only FLOAT and DOUBLE");
        };
    }

    /** Copies the contiguous array's values into {@code values} (a float[] or double[] of its length). */
    private static void read(INDArray a, Object values) {
        if (values instanceof float[] v) {
            a.data().asNioFloat().position(Math.toIntExact(a.offset())).get(v);
        } else {
            a.data().asNioDouble().position(Math.toIntExact(a.offset())).get((double[]) values);
        }
    }

    /** Copies {@code values} (a float[] or double[] of its length) into the contiguous array. */
    private static void write(Object values, INDArray a) {
        if (values instanceof float[] v) {
            a.data().asNioFloat().position(Math.toIntExact(a.offset())).put(v);
        } else {
            a.data().asNioDouble().position(Math.toIntExact(a.offset())).put((double[]) values);
        }
    }
}
