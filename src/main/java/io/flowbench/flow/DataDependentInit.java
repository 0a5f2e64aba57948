package io.flowbench.flow;

import org.nd4j.linalg.api.ndarray.INDArray;

/** A layer whose parameters are set from the statistics of its input on the first batch. */
public interface DataDependentInit {

    /** Name of the graph variable that feeds this layer in the forward (density) direction. */
    String inputVariable();

    /** Sets the layer's parameters from its input activations on an initialisation batch. */
    void initialiseFrom(INDArray input);
}
