package io.flowbench.samediff;

import java.util.ArrayList;
import java.util.List;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.autodiff.samediff.internal.Variable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.scalar.Step;
import org.nd4j.linalg.api.ops.impl.scalar.comparison.ScalarGreaterThan;
import org.nd4j.linalg.api.ops.impl.transforms.dtype.Cast;

/**
 * Rewrites of SameDiff's backward graph into equivalent faster ops, applied once it is built. They work
 * on the backward graph because SameDiff builds it from a serialized copy of the forward graph, which
 * turns every op back into ND4J's own class: an op subclass with its own gradient would not survive.
 * <ul>
 * <li>conv2d_bp of a stride-1 1x1 NHWC convolution becomes {@link Conv1x1Backward}.</li>
 * <li>conv2d_bp of a stride-1 "same" k x k NHWC convolution with a thin side (a few input or output channels)
 * becomes {@link ThinConvBackward}.</li>
 * <li>multiply_bp becomes {@link MultiplyBackward}.</li>
 * <li>cast(x > c) to x's floating-point type, how ND4J differentiates max(x, c) (flowbench's ReLU), becomes
 * step(x, c): the same values without the boolean mask and its cast (0.3 ms against 1.1 on a
 * 64x14x14x128 map).</li>
 * </ul>
 */
final class BackwardRewrites {
    /** conv2d's integer arguments: kH, kW, sH, sW, pH, pW, dH, dW, same mode, data format (1 NHWC), weights format (0 YXIO). */
    private static final long[] CONV_1X1_NHWC = {1, 1, 1, 1, 0, 0, 1, 1};
    private static final int SAME_MODE = 8;
    private static final int DATA_FORMAT = 9;
    private static final int WEIGHTS_FORMAT = 10;

    private BackwardRewrites() {
    }

    /** Rewrites {@code backward} in place; returns how many ops it replaced. */
    static int apply(SameDiff backward) {
        int replaced = 0;
        for (SameDiffOp op : new ArrayList<>(backward.getOps().values())) {
            if (op.getOp() instanceof DynamicCustomOp conv && isConv1x1NhwcBackward(conv)) {
                op.setOp(new Conv1x1Backward(conv));
                replaced++;
            } else if (op.getOp() instanceof DynamicCustomOp conv && isThinSameConvNhwcBackward(backward, op, conv)) {
                op.setOp(new ThinConvBackward(conv));
                replaced++;
            } else if (op.getOp() instanceof DynamicCustomOp multiply && "multiply_bp".equals(multiply.opName())) {
                op.setOp(new MultiplyBackward(multiply));
                replaced++;
            } else if (op.getOp() instanceof Cast && replaceCastOfComparisonByStep(backward, op)) {
                replaced++;
            }
        }
        return replaced;
    }

    private static boolean isConv1x1NhwcBackward(DynamicCustomOp op) {
        if (!"conv2d_bp".equals(op.opName())) {
            return false;
        }
        long[] args = op.iArgs();
        if (args.length <= DATA_FORMAT || args[DATA_FORMAT] != 1 || (args.length > WEIGHTS_FORMAT && args[WEIGHTS_FORMAT] != 0)) {
            return false;
        }
        for (int i = 0; i < CONV_1X1_NHWC.length; i++) {
            if (args[i] != CONV_1X1_NHWC[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * conv2d_bp of a stride-1 "same" k x k NHWC convolution, k odd, with at most a few input or output channels,
     * in FLOAT or DOUBLE (the types ThinConvBackward copies in Java).
     */
    private static boolean isThinSameConvNhwcBackward(SameDiff sd, SameDiffOp op, DynamicCustomOp conv) {
        if (!"conv2d_bp".equals(conv.opName())) {
            return false;
        }
        long[] args = conv.iArgs();
        if (args.length <= WEIGHTS_FORMAT || args[DATA_FORMAT] != 1 || args[WEIGHTS_FORMAT] != 0 || args[SAME_MODE] != 1) {
            return false;
        }
        long k = args[0];
        if (k != args[1] || k % 2 != 1 || k == 1 || args[2] != 1 || args[3] != 1 || args[6] != 1 || args[7] != 1) {
            return false;
        }
        SDVariable weightsVariable = sd.getVariable(op.getInputsToOp().get(1));
        DataType type = weightsVariable.dataType();
        long[] weights = weightsVariable.getShape();
        return (type == DataType.FLOAT || type == DataType.DOUBLE) && weights != null && weights.length == 4 && weights[0] == k && weights[1] == k
                && Math.min(weights[2], weights[3]) <= ThinConvBackward.MAX_THIN_CHANNELS;
    }

    private static boolean replaceCastOfComparisonByStep(SameDiff sd, SameDiffOp cast) {
        String mask = cast.getInputsToOp().get(0);
        Variable maskVar = sd.getVariables().get(mask);
        SameDiffOp comparison = maskVar.getOutputOfOp() == null ? null : sd.getOps().get(maskVar.getOutputOfOp());
        if (comparison == null || !(comparison.getOp() instanceof ScalarGreaterThan greaterThan)) {
            return false;
        }
        String x = comparison.getInputsToOp().get(0);
        String out = cast.getOutputsOfOp().get(0);
        if (sd.getVariable(x).dataType() != sd.getVariable(out).dataType() || !sd.getVariable(out).dataType().isFPType()) {
            return false;
        }
        Step step = new Step();
        step.setSameDiff(sd);
        step.setOwnName(cast.getName());
        step.setScalar(greaterThan.scalar().castTo(sd.getVariable(x).dataType()));
        cast.setOp(step);
        cast.setInputsToOp(new ArrayList<>(List.of(x)));
        maskVar.getInputsForOp().remove(cast.getName());
        Variable xVar = sd.getVariables().get(x);
        xVar.getInputsForOp().add(cast.getName());
        if (maskVar.getInputsForOp().isEmpty()) {
            // The session releases an array once every op that reads it has run, so an op left unused would
            // keep x alive to the end of each execution.
            sd.getOps().remove(comparison.getName());
            sd.getVariables().remove(mask);
            xVar.getInputsForOp().remove(comparison.getName());
        }
        return true;
    }
}
