package io.flowbench.samediff;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The gradients of a stride-1 "same" k x k NHWC convolution (k odd, YXIO weights) whose input or output has
 * few channels: the first and last convolutions of the coupling networks, 2-8 channels against 128. Put in
 * place of conv2d_bp by {@link BackwardRewrites}. Only the thin map is copied, k*k times shifted (im2col),
 * and the rest is two matrix products (and, for a thin input, the blocks of one added back: col2im). With
 * padding p = k / 2 and, for kernel position (i, j), the offset (di, dj) = (i - p, j - p):
 * <ul>
 * <li>thin input: X[(n,h,w), (i,j,c)] = x[n, h+di, w+dj, c], 0 outside the map, so y = X W + b with W read as
 * [k k C_in, C_out]; dW = X^T dy, and dx adds the blocks of dy W^T back at their offsets (col2im);</li>
 * <li>thin output: D[(n,h,w), (i,j,o)] = dy[n, h+di, w+dj, o], the same im2col of dy, so dx = D W' with
 * W'[(i,j,o), c] = W[k-1-i, k-1-j, c, o] (the kernel turned half a turn), and D^T x is dW turned so, with its
 * axes in the order (i, j, o, c) (faster than x^T D: 314 against 433 us on a 64x14x14x128 map);</li>
 * <li>db = 1^T dy.</li>
 * </ul>
 * conv2d_bp of 1.0.0-M2.1 runs these at 47-68 GFLOP/s (oneDNN 2.3's backward kernels), where its forward
 * convolutions reach 115-300 (docs/speed.md).
 */
final class ThinConvBackward extends BackwardInJava {
    /** The most channels of the thin side this op is used for. */
    static final long MAX_THIN_CHANNELS = 16;

    private final DynamicCustomOp col2im = DynamicCustomOp.builder("col2im").build();
    /** Thin output: W', [k, k, C_out, C_in]. */
    private INDArray permutedWeights;
    /** Thin output: where each entry of W' comes from in W, and each entry of dW in D^T x. */
    private int[] weightsSource;
    private int[] gradientSource;
    /** k * thin channels zeros of the map's type: the columns' entries outside the map. */
    private Object zeros;
    /** Java copies of a thin output's weights or weight gradient, before and after {@link #permute}. */
    private Object small;
    private Object smallPermuted;

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
                calls.matmul(WorkArrays.ofThisThread().onesRow(dy.dataType(), rows), NativeCalls.matrix(dy, rows, dy.size(3)),
                        false, false, NativeCalls.outputMatrix(outputs[2], 1, dy.size(3)));
            }
        }
    }

    private void thinInput(NativeCalls calls, INDArray x, INDArray weights, INDArray dy, INDArray dx, INDArray dw) {
        long in = x.size(3);
        long out = dy.size(3);
        long k = weights.size(0);
        long rows = x.length() / in;
        WorkArrays work = WorkArrays.ofThisThread();
        INDArray columns = fillColumns(work, x, (int) k);
        INDArray product = work.array(WorkArrays.Slot.SECOND, x.dataType(), columns.shape());
        INDArray dy2d = NativeCalls.matrix(dy, rows, out);
        calls.matmul(NativeCalls.matrix(columns, rows, k * k * in), dy2d, true, false,
                NativeCalls.outputMatrix(dw, k * k * in, out));
        calls.matmul(dy2d, NativeCalls.matrix(weights, k * k * in, out), false, true,
                NativeCalls.matrix(product, rows, k * k * in));
        // libnd4j's col2im reads NCHW: the NHWC arrays are handed to it as permuted views.
        long p = k / 2;
        calls.exec(col2im, new long[] {1, 1, p, p, x.size(1), x.size(2), 1, 1, 0},
                new INDArray[] {permuted(product, 0, 5, 3, 4, 1, 2)}, permuted(dx, 0, 3, 1, 2));
    }

    private void thinOutput(NativeCalls calls, INDArray x, INDArray weights, INDArray dy, INDArray dx, INDArray dw) {
        int in = (int) x.size(3);
        int out = (int) dy.size(3);
        int k = (int) weights.size(0);
        long rows = x.length() / in;
        WorkArrays work = WorkArrays.ofThisThread();
        INDArray columns = fillColumns(work, dy, k);
        INDArray product = work.array(WorkArrays.Slot.SECOND, x.dataType(), k, k, out, in);
        permutedWeights = NativeCalls.workArray(permutedWeights, x.dataType(), k, k, out, in);
        if (weightsSource == null || weightsSource.length != weights.length()) {
            weightsSource = turnedIndices(k, in, out, true);
            gradientSource = turnedIndices(k, in, out, false);
        }
        permute(weights, weightsSource, permutedWeights);
        INDArray columns2d = NativeCalls.matrix(columns, rows, (long) k * k * out);
        calls.matmul(columns2d, NativeCalls.matrix(permutedWeights, (long) k * k * out, in), false, false,
                NativeCalls.outputMatrix(dx, rows, in));
        calls.matmul(columns2d, NativeCalls.matrix(x, rows, in), true, false, NativeCalls.matrix(product, (long) k * k * out, in));
        permute(product, gradientSource, dw);
    }

    /**
     * For a thin output, where each entry of W' ({@code weights}: [k, k, C_out, C_in] read from W) or of dW
     * (else: [k, k, C_in, C_out] read from D^T x, [k, k, C_out, C_in]) comes from: the kernel turned half a turn.
     */
    private static int[] turnedIndices(int k, int in, int out, boolean weights) {
        int[] source = new int[k * k * in * out];
        int e = 0;
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < k; j++) {
                int turned = (k - 1 - i) * k + (k - 1 - j);
                for (int a = 0; a < (weights ? out : in); a++) {
                    for (int b = 0; b < (weights ? in : out); b++) {
                        source[e++] = weights ? (turned * in + b) * out + a : (turned * out + b) * in + a;
                    }
                }
            }
        }
        return source;
    }

    /** target[e] = source[index[e]] over both contiguous arrays (a few thousand entries: copied in Java). */
    private void permute(INDArray source, int[] index, INDArray target) {
        small = javaArray(small, source.dataType(), source.length());
        smallPermuted = javaArray(smallPermuted, source.dataType(), target.length());
        read(source, small);
        if (small instanceof float[] from) {
            float[] to = (float[]) smallPermuted;
            for (int e = 0; e < index.length; e++) {
                to[e] = from[index[e]];
            }
        } else {
            double[] from = (double[]) small;
            double[] to = (double[]) smallPermuted;
            for (int e = 0; e < index.length; e++) {
                to[e] = from[index[e]];
            }
        }
        write(smallPermuted, target);
    }

    /** A view of the contiguous array with its axes in this order. */
    private static INDArray permuted(INDArray a, int... axes) {
        long[] stride = Nd4j.getStrides(a.shape(), 'c');
        long[] shape = new long[axes.length];
        long[] permutedStride = new long[axes.length];
        for (int d = 0; d < axes.length; d++) {
            shape[d] = a.size(axes[d]);
            permutedStride[d] = stride[axes[d]];
        }
        return NativeCalls.view(a, shape, permutedStride, 0);
    }

    /**
     * The thin map's shifted copies [N, H, W, k, k, C] (X or D above), in the first work slot, from the thin map
     * [N, H, W, C]: entry (n, h, w, i, j, c) is map[n, h + i - p, w + j - p, c], or 0 outside the map. For each
     * (n, h, w, i) the entries over (j, c) are one run of the map's row h + i - p, copied at once; in Java, since
     * libnd4j's im2col and assign between strided views of 2-8 channels take 1-5 ns an element.
     */
    private INDArray fillColumns(WorkArrays work, INDArray thin, int k) {
        int n = (int) thin.size(0);
        INDArray columns = work.array(WorkArrays.Slot.FIRST, thin.dataType(), n, thin.size(1), thin.size(2), k, k, thin.size(3));
        Object map = work.javaArray(WorkArrays.Slot.FIRST, thin.dataType(), thin.length());
        Object columnValues = work.javaArray(WorkArrays.Slot.SECOND, thin.dataType(), columns.length());
        zeros = javaArray(zeros, thin.dataType(), k * thin.size(3));
        read(thin, map);
        int height = (int) thin.size(1);
        int width = (int) thin.size(2);
        int channels = (int) thin.size(3);
        int p = k / 2;
        int run = k * channels;
        int position = k * run;
        for (int b = 0; b < n; b++) {
            for (int h = 0; h < height; h++) {
                for (int i = 0; i < k; i++) {
                    int sh = h + i - p;
                    int first = ((b * height + h) * width) * position + i * run;
                    for (int w = 0; w < width; w++) {
                        int target = first + w * position;
                        if (sh < 0 || sh >= height) {
                            System.arraycopy(zeros, 0, columnValues, target, run);
                            continue;
                        }
                        int j0 = Math.max(0, p - w);
                        int j1 = Math.min(k, width + p - w);
                        if (j0 > 0) {
                            System.arraycopy(zeros, 0, columnValues, target, j0 * channels);
                        }
                        System.arraycopy(map, ((b * height + sh) * width + w + j0 - p) * channels, columnValues,
                                target + j0 * channels, (j1 - j0) * channels);
                        if (j1 < k) {
                            System.arraycopy(zeros, 0, columnValues, target + j1 * channels, (k - j1) * channels);
                        }
                    }
                }
            }
        }
        write(columnValues, columns);
        return columns;
    }

    private static Object javaArray(Object current, DataType type, long length) {
        int n = Math.toIntExact(length);
        return switch (type) {
            case FLOAT -> current instanceof float[] a && a.length == n ? a : new float[n];
            case DOUBLE -> current instanceof double[] a && a.length == n ? a : new double[n];
            default -> throw new IllegalArgumentException(type + " maps: this op reads only FLOAT and DOUBLE");
        };
    }

    /** Copies the contiguous array's values into the start of {@code values} (a float[] or double[]). */
    private static void read(INDArray a, Object values) {
        int n = Math.toIntExact(a.length());
        if (values instanceof float[] v) {
            a.data().asNioFloat().position(Math.toIntExact(a.offset())).get(v, 0, n);
        } else {
            a.data().asNioDouble().position(Math.toIntExact(a.offset())).get((double[]) values, 0, n);
        }
    }

    /** Copies the start of {@code values} (a float[] or double[]) into the contiguous array. */
    private static void write(Object values, INDArray a) {
        int n = Math.toIntExact(a.length());
        if (values instanceof float[] v) {
            a.data().asNioFloat().position(Math.toIntExact(a.offset())).put(v, 0, n);
        } else {
            a.data().asNioDouble().position(Math.toIntExact(a.offset())).put((double[]) values, 0, n);
        }
    }
}
