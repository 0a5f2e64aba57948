package io.flowbench.samediff;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * An op of a graph that {@link FlowSession} computes by calling Java, as a few ND4J ops on the arrays the
 * session gives it (read in other shapes without copying): for computations that 1.0.0-M2.1 has no fast
 * single op for, and whose pieces would cost a copy each as graph ops (SameDiff's reshape copies).
 */
interface ComposedOp {
    /** Fills {@code outputs} (allocated by the session to the op's output shapes) from {@code inputs}. */
    void compute(INDArray[] inputs, INDArray[] outputs);
}
