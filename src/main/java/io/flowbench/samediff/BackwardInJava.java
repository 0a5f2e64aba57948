package io.flowbench.samediff;

import java.util.ArrayList;
import java.util.List;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.api.shape.LongShapeDescriptor;

/**
 * An op of the backward graph (conv2d_bp, multiply_bp) replaced by a computation in Java ({@link ComposedOp}),
 * with the replaced op's inputs (the forward op's inputs, then the gradient of its output) and outputs (the
 * gradient of each forward input, shaped like it), under the replaced op's name.
 */
abstract class BackwardInJava extends DynamicCustomOp implements ComposedOp {

    BackwardInJava(DynamicCustomOp replaced) {
        setSameDiff(replaced.getSameDiff());
        setOwnName(replaced.getOwnName());
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
        throw new UnsupportedOperationException("no flow needs second derivatives through " + opName());
    }
}
