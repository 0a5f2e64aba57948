package io.flowbench.samediff;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.factory.Nd4j;

/**
 * libnd4j ops called from a {@link ComposedOp} on the session's arrays, and views of those arrays, both
 * leaving the arrays' buffer use counts as they were. In 1.0.0-M2.1 a {@code reshape} or {@code get} view,
 * and an array given to an op through a context that is not emptied afterwards, raise the count until the
 * garbage collector finds them; the session's array cache refuses an array whose count is raised, so every
 * map such an op touched would be allocated afresh each step. Views here are made on the array's buffer
 * ({@code Nd4j.create} on a buffer does not raise the count) and the context is emptied after each call.
 */
final class NativeCalls implements AutoCloseable {
    /** libnd4j's ops; their arguments and arrays come with each call's context. */
    private final DynamicCustomOp matmul = DynamicCustomOp.builder("matmul").build();
    private final DynamicCustomOp multiply = DynamicCustomOp.builder("multiply").build();

    private final OpContext context = Nd4j.getExecutioner().buildContext();

    /** result = op(a) op(b), op transposing where asked. */
    void matmul(INDArray a, INDArray b, boolean transposeA, boolean transposeB, INDArray result) {
        exec(matmul, new long[] {transposeA ? 1 : 0, transposeB ? 1 : 0, 0}, new INDArray[] {a, b}, result);
    }

    /** result = a * b, elementwise with numpy-style broadcasting. */
    void multiply(INDArray a, INDArray b, INDArray result) {
        exec(multiply, new long[0], new INDArray[] {a, b}, result);
    }

    /** Runs {@code op} (its own integer arguments) on these arrays. */
    void exec(DynamicCustomOp op, INDArray[] inputs, INDArray... outputs) {
        exec(op, op.iArgs(), inputs, outputs);
    }

    /** Runs {@code op} with these integer arguments on these arrays. */
    void exec(DynamicCustomOp op, long[] integerArguments, INDArray[] inputs, INDArray... outputs) {
        try {
            context.setIArguments(integerArguments);
            context.setInputArrays(inputs);
            context.setOutputArrays(outputs);
            Nd4j.exec(op, context);
        } finally {
            context.purge();
        }
    }

    @Override
    public void close() {
        try {
            context.close();
        } catch (Exception e) {
            throw new IllegalStateException("could not close an op context", e);
        }
    }

    /** A view of {@code a}'s buffer: shape and strides in elements, offset in elements from a's own. */
    static INDArray view(INDArray a, long[] shape, long[] stride, long offset) {
        return Nd4j.create(a.data(), shape, stride, a.offset() + offset, 'c');
    }

    /** The array read as a row-major matrix, on its own buffer when it is contiguous, else on a copy. */
    static INDArray matrix(INDArray a, long rows, long columns) {
        INDArray c = contiguous(a);
        return view(c, new long[] {rows, columns}, new long[] {columns, 1}, 0);
    }

    /** {@code current} when it has this type and shape, else a new zero-filled array: an op's own work array. */
    static INDArray workArray(INDArray current, DataType type, long... shape) {
        if (current != null && current.dataType() == type && Arrays.equals(current.shape(), shape)) {
            return current;
        }
        return Nd4j.create(type, shape);
    }

    /** The array itself when it is row-major contiguous, else a row-major copy. */
    static INDArray contiguous(INDArray a) {
        return isContiguous(a) ? a : a.dup('c');
    }

    /** An output array the session allocated (always contiguous) read as a matrix. */
    static INDArray outputMatrix(INDArray output, long rows, long columns) {
        requireContiguous(output);
        return matrix(output, rows, columns);
    }

    static INDArray requireContiguous(INDArray output) {
        if (!isContiguous(output)) {
            throw new IllegalStateException("output " + output.shapeInfoToString() + " is not a contiguous array");
        }
        return output;
    }

    private static boolean isContiguous(INDArray a) {
        return a.ordering() == 'c' && Arrays.equals(a.stride(), Nd4j.getStrides(a.shape(), 'c'));
    }
}
