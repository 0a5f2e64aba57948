package io.flowbench.flow;

import org.nd4j.autodiff.samediff.SDVariable;

/**
 * The kind of network a coupling or dynamic linear layer uses to compute its parameters from the
 * channels it conditions on. Given to the layer, which only says how many channels go in and out, so
 * a family can swap the network without touching the layer.
 */
public interface Conditioner {

    /** A network from {@code inChannels} to {@code outChannels} channels, its parameters created now. */
    Network create(FlowGraph g, String name, int inChannels, int outChannels);

    /** FLOPs of one such network applied on a map of the given spatial size (its channel count unused). */
    void countFlops(Flops flops, int inChannels, int outChannels, LatentShape shape);

    /** One network, used in both directions of its layer. */
    interface Network {
        /** @param condition one-hot labels [N, classes], or null for an unconditional flow */
        SDVariable apply(SDVariable x, SDVariable condition);
    }
}
