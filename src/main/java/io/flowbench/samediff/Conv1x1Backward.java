package io.flowbench.samediff;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.api.shape.LongShapeDescriptor;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The gradients of a stride-1 1x1 NHWC convolution y = x W + b, as matrix products over the maps read as
 * [N*H*W, channels]: dx = dy W^T, dW = x^T dy, db = 1^T dy. Put in place of conv2d_bp by
 * {@link BackwardRewrites}, with the same inputs (x, W, [b], dy) and outputs (dx, dW, [db]). conv2d_bp of
 * 1.0.0-M2.1 takes 7-14 ms for these on a 64x14x14x128 map (oneDNN 2.3 reorders every map to a blocked
 * layout and back); this op 4.2-5.5 ms (docs/speed.md). As graph ops the products would need reshapes, which
 * copy in SameDiff, so {@link FlowSession} has this op compute them on its arrays read as matrices; the bias
 * sum is a product with a vector of ones because reduce_sum over the leading axes takes 1.8 ms where the
 * product takes 0.07.
 */
final class Conv1x1Backward extends DynamicCustomOp implements ComposedOp {
    /** libnd4j's matmul; its arguments and arrays come with each call's context. */
    private final DynamicCustomOp matmul = DynamicCustomOp.builder("matmul").build();

    /** 1 x (N*H*W) ones for the bias gradient, kept for the batch size last seen. */
    private INDArray ones;

    /** Takes the place of {@code replaced} (a conv2d_bp) in its graph, under its name. */
    Conv1x1Backward(DynamicCustomOp replaced) {
        setSameDiff(replaced.getSameDiff());
        setOwnName(replaced.getOwnName());
    }

    @Override
    public String opName() {
        return "flowbench_conv1x1_bp";
    }

    @Override
    public List<LongShapeDescriptor> calculateOutputShape(OpContext context) {
        List<INDArray> inputs = context.getInputArrays();
        List<LongShapeDescriptor> shapes = new ArrayList<>();
        for (INDArray in : inputs.subList(0, inputs.size() - 1)) {
            shapes.add(LongShapeDescriptor.fromShape(in.shape(), in.dataType()));
        }
        return shapes;
    }

    @Override
    public long opHash() {
        throw new IllegalStateException(opName() + " runs only in FlowSession (FlowSession.install())");
    }

    @Override
    public List<SDVariable> doDiff(List<SDVariable> gradients) {
        throw new UnsupportedOperationException("no flow needs second derivatives of a 1x1 convolution");
    }

    @Override
    public void compute(INDArray[] inputs, INDArray[] outputs) {
        INDArray x = inputs[0];
        INDArray weights = inputs[1];
        INDArray dy = inputs[inputs.length - 1];
        long in = weights.size(2);
        long out = weights.size(3);
        long rows = x.length() / in;
        INDArray x2d = matrix(x, rows, in);
        INDArray dy2d = matrix(dy, rows, out);
        INDArray w2d = matrix(weights, in, out);
        OpContext context = Nd4j.getExecutioner().buildContext();
        try {
            matmul(context, dy2d, w2d, false, true, outputMatrix(outputs[0], rows, in));
            matmul(context, x2d, dy2d, true, false, outputMatrix(outputs[1], in, out));
            if (outputs.length == 3) {
                matmul(context, ones(rows, dy.dataType()), dy2d, false, false, outputMatrix(outputs[2], 1, out));
            }
        } finally {
            close(context);
        }
    }

    private INDArray ones(long rows, DataType type) {
        if (ones == null || ones.size(1) != rows || ones.dataType() != type) {
            ones = Nd4j.ones(type, 1, rows);
        }
        return ones;
    }

    /** An output array the session allocated (always contiguous) read as a matrix. */
    private static INDArray outputMatrix(INDArray output, long rows, long columns) {
        if (!isContiguous(output)) {
            throw new IllegalStateException("output " + output.shapeInfoToString() + " is not a contiguous array");
        }
        return matrix(output, rows, columns);
    }

    /**
     * The array read as a row-major matrix, on its own buffer when it is contiguous. Not {@code reshape}: its
     * view raises the buffer's use count until the view is collected, and the session's array cache refuses
     * an array whose count is raised, so every map this op read would have been allocated afresh each step.
     */
    private static INDArray matrix(INDArray a, long rows, long columns) {
        INDArray c = isContiguous(a) ? a : a.dup('c');
        return Nd4j.create(c.data(), new long[] {rows, columns}, new long[] {columns, 1}, c.offset(), 'c');
    }

    private static boolean isContiguous(INDArray a) {
        return a.ordering() == 'c' && Arrays.equals(a.stride(), Nd4j.getStrides(a.shape(), 'c'));
    }

    /**
     * One matmul, the context emptied afterwards: an array an op has been given keeps a raised use count
     * until its context lets go of it, and the session's cache refuses such arrays.
     */
    private void matmul(OpContext context, INDArray a, INDArray b, boolean transposeA, boolean transposeB,
                        INDArray result) {
        try {
            context.setIArguments(transposeA ? 1 : 0, transposeB ? 1 : 0, 0);
            context.setInputArrays(a, b);
            context.setOutputArrays(result);
            Nd4j.exec(matmul, context);
        } finally {
            context.purge();
        }
    }

    private static void close(OpContext context) {
        try {
            context.close();
        } catch (Exception e) {
            throw new IllegalStateException("could not close an op context", e);
        }
    }
}
