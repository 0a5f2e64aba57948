package io.flowbench.flow;

import org.nd4j.autodiff.samediff.SDVariable;

/**
 * log-scale = tanh(raw) * rescale + shift with learned scalars, as in the DLF reference: bounds each
 * step's scaling for training stability while letting the bound itself be learned.
 */
final class BoundedLogScale {
    private final FlowGraph g;
    private final SDVariable rescale;
    private final SDVariable shift;

    BoundedLogScale(FlowGraph g, String name, double rescaleInit, double shiftInit) {
        this.g = g;
        this.rescale = g.scalar(name + "/rescale", rescaleInit);
        this.shift = g.scalar(name + "/shift", shiftInit);
    }

    SDVariable apply(SDVariable raw) {
        return g.sd().math().tanh(raw).mul(rescale).add(shift);
    }
}
