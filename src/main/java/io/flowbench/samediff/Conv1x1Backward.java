package io.flowbench.samediff;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;

/**
 * The gradients of a stride-1 1x1 NHWC convolution y = x W + b, as matrix products over the maps read as
 * [N*H*W, channels]: dx = dy W^T, dW = x^T dy, db = 1^T dy. Put in place of conv2d_bp by
 * {@link BackwardRewrites}. conv2d_bp of 1.0.0-M2.1 takes 7-14 ms for these on a 64x14x14x128 map (oneDNN
 * 2.3 reorders every map to a blocked layout and back); this op 4.2-5.5 ms (docs/speed.md). As graph ops the
 * products would need reshapes, which copy in SameDiff, so {@link FlowSession} has this op compute them on
 * its arrays read as matrices; the bias sum is a product with a row of ones ({@link WorkArrays#onesRow}).
 */
final class Conv1x1Backward extends BackwardInJava {
    /** Takes the place of {@code replaced} (a conv2d_bp) in its graph, under its name. */
    Conv1x1Backward(DynamicCustomOp replaced) {
        super(replaced);
    }

    @Override
    public String opName() {
        return "flowbench_conv1x1_bp";
    }

    @Override
    public void compute(INDArray[] inputs, INDArray[] outputs) {
        INDArray x = inputs[0];
        INDArray weights = inputs[1];
        INDArray dy = inputs[inputs.length - 1];
        long in = weights.size(2);
        long out = weights.size(3);
        long rows = x.length() / in;
        INDArray x2d = NativeCalls.matrix(x, rows, in);
        INDArray dy2d = NativeCalls.matrix(dy, rows, out);
        INDArray w2d = NativeCalls.matrix(weights, in, out);
        try (NativeCalls calls = new NativeCalls()) {
            calls.matmul(dy2d, w2d, false, true, NativeCalls.outputMatrix(outputs[0], rows, in));
            calls.matmul(x2d, dy2d, true, false, NativeCalls.outputMatrix(outputs[1], in, out));
            if (outputs.length == 3) {
                calls.matmul(WorkArrays.ofThisThread().onesRow(dy.dataType(), rows), dy2d, false, false,
                        NativeCalls.outputMatrix(outputs[2], 1, out));
            }
        }
    }
}
