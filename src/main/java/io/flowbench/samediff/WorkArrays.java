package io.flowbench.samediff;

import org.nd4j.common.util.ArrayUtil;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The work arrays of the {@link ComposedOp}s, one set per thread and shared by all of them: a session runs its
 * ops one at a time on its own thread, and an op's work arrays are dead once it returns. Kept per op instead, they
 * grew with the model's depth: a 64x64x3 Glow's 32 thin-convolution gradients held 1.2 GB of copies between steps
 * (docs/speed.md). Each slot grows to the largest array asked of it and hands out views of its start, so an array's
 * contents are undefined until the op writes them, and two arrays an op uses at once must come from different slots.
 * A thread keeps its set while it lives: at most the largest op's arrays.
 */
final class WorkArrays {
    /** The slots: an op takes its arrays from different ones when it needs them at once. */
    enum Slot { FIRST, SECOND }

    private static final ThreadLocal<WorkArrays> OF_THREAD = ThreadLocal.withInitial(WorkArrays::new);

    private final INDArray[] nativeArrays = new INDArray[Slot.values().length];
    private final Object[] javaArrays = new Object[Slot.values().length];
    private INDArray ones;

    private WorkArrays() {
    }

    /** This thread's work arrays. */
    static WorkArrays ofThisThread() {
        return OF_THREAD.get();
    }

    /** A row-major native array of this type and shape, on the slot's buffer. */
    INDArray array(Slot slot, DataType type, long... shape) {
        long length = ArrayUtil.prodLong(shape);
        INDArray buffer = nativeArrays[slot.ordinal()];
        if (buffer == null || buffer.dataType() != type || buffer.length() < length) {
            buffer = Nd4j.createUninitialized(type, length);
            nativeArrays[slot.ordinal()] = buffer;
        }
        return NativeCalls.view(buffer, shape, Nd4j.getStrides(shape, 'c'), 0);
    }

    /**
     * A 1 x n row of ones, read only: a sum over the leading axes as a product, 1^T dy, since reduce_sum over
     * those of a 64x14x14x128 map takes 1.8 ms where the product takes 0.07.
     */
    INDArray onesRow(DataType type, long n) {
        if (ones == null || ones.dataType() != type || ones.length() < n) {
            ones = Nd4j.ones(type, n);
        }
        return NativeCalls.view(ones, new long[] {1, n}, new long[] {n, 1}, 0);
    }

    /** A Java array (float[] or double[], after the type) of at least this length, on the slot. */
    Object javaArray(Slot slot, DataType type, long length) {
        int n = Math.toIntExact(length);
        Object current = javaArrays[slot.ordinal()];
        Object array = switch (type) {
            case FLOAT -> current instanceof float[] a && a.length >= n ? a : new float[n];
            case DOUBLE -> current instanceof double[] a && a.length >= n ? a : new double[n];
            default -> throw new IllegalArgumentException(type + " maps: the composed ops read only FLOAT and DOUBLE");
        };
        javaArrays[slot.ordinal()] = array;
        return array;
    }
}
