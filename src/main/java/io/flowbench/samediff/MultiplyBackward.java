package io.flowbench.samediff;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;

/**
 * The gradients of z = x * y: dx = g * y and dy = g * x, each summed over the axes its operand was broadcast
 * along. Put in place of multiply_bp by {@link BackwardRewrites}. libnd4j 1.0.0-M2.1's multiply_bp takes
 * 0.55-1.1 ms for ActNorm's [64, C, 14, 14] * [1, C, 1, 1] (C = 4, 8), where a product and two matrix products
 * with vectors of ones take about 0.1 (docs/speed.md). Same shapes and a [1, C, 1, 1] factor of an [N, C, H, W]
 * map are computed so; any other broadcast is left to multiply_bp.
 */
final class MultiplyBackward extends BackwardInJava {
    private final DynamicCustomOp replaced;

    /** Takes the place of {@code replaced} (a multiply_bp) in its graph, under its name. */
    MultiplyBackward(DynamicCustomOp replaced) {
        super(replaced);
        this.replaced = replaced;
    }

    @Override
    public String opName() {
        return "flowbench_multiply_bp";
    }

    @Override
    public void compute(INDArray[] inputs, INDArray[] outputs) {
        INDArray x = NativeCalls.contiguous(inputs[0]);
        INDArray y = NativeCalls.contiguous(inputs[1]);
        INDArray g = NativeCalls.contiguous(inputs[2]);
        INDArray dx = NativeCalls.requireContiguous(outputs[0]);
        INDArray dy = NativeCalls.requireContiguous(outputs[1]);
        try (NativeCalls calls = new NativeCalls()) {
            if (sameShape(x, g) && sameShape(y, g)) {
                calls.multiply(g, y, dx);
                calls.multiply(g, x, dy);
            } else if (sameShape(x, g) && isChannelFactor(y, x)) {
                calls.multiply(g, y, dx);
                channelSum(calls, g, x, dy);
            } else if (sameShape(y, g) && isChannelFactor(x, y)) {
                calls.multiply(g, x, dy);
                channelSum(calls, g, y, dx);
            } else {
                calls.exec(replaced, new INDArray[] {inputs[0], inputs[1], inputs[2]}, dx, dy);
            }
        }
    }

    private static boolean sameShape(INDArray a, INDArray b) {
        return Arrays.equals(a.shape(), b.shape());
    }

    /** Whether {@code factor} is [1, C, 1, 1] for a map [N, C, H, W]. */
    private static boolean isChannelFactor(INDArray factor, INDArray map) {
        long[] f = factor.shape();
        long[] m = map.shape();
        return f.length == 4 && m.length == 4 && f[0] == 1 && f[1] == m[1] && f[2] == 1 && f[3] == 1;
    }

    /**
     * out[0, c, 0, 0] = sum over n, h, w of g * map: the product g * map, summed over the batch and then over the
     * pixels by two products with rows of ones.
     */
    private void channelSum(NativeCalls calls, INDArray g, INDArray map, INDArray out) {
        long n = map.size(0);
        long channels = map.size(1);
        long pixels = map.size(2) * map.size(3);
        WorkArrays work = WorkArrays.ofThisThread();
        INDArray product = work.array(WorkArrays.Slot.FIRST, map.dataType(), map.shape());
        INDArray batchSum = work.array(WorkArrays.Slot.SECOND, map.dataType(), 1, channels * pixels);
        calls.multiply(g, map, product);
        calls.matmul(work.onesRow(map.dataType(), n), NativeCalls.matrix(product, n, channels * pixels), false, false,
                batchSum);
        calls.matmul(NativeCalls.matrix(batchSum, channels, pixels), work.onesRow(map.dataType(), pixels), false, true,
                NativeCalls.outputMatrix(out, channels, 1));
    }
}
