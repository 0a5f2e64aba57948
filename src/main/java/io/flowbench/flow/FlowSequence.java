package io.flowbench.flow;

import java.util.List;
import org.nd4j.autodiff.samediff.SDVariable;

/** Layers applied in order (and undone in reverse order); log-dets add up. */
public final class FlowSequence implements FlowLayer {
    private final List<FlowLayer> layers;

    public FlowSequence(List<FlowLayer> layers) {
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("a flow sequence needs at least one layer");
        }
        this.layers = List.copyOf(layers);
    }

    @Override
    public Transformed forward(SDVariable x, SDVariable condition) {
        Transformed t = layers.get(0).forward(x, condition);
        SDVariable logDet = t.logDet();
        for (FlowLayer layer : layers.subList(1, layers.size())) {
            t = layer.forward(t.value(), condition);
            logDet = logDet.add(t.logDet());
        }
        return new Transformed(t.value(), logDet);
    }

    @Override
    public Traced forwardTraced(SDVariable x, SDVariable shares, SDVariable condition) {
        Traced t = layers.get(0).forwardTraced(x, shares, condition);
        SDVariable logDet = t.out().logDet();
        for (FlowLayer layer : layers.subList(1, layers.size())) {
            t = layer.forwardTraced(t.out().value(), t.shares(), condition);
            logDet = logDet.add(t.out().logDet());
        }
        return new Traced(new Transformed(t.out().value(), logDet), t.shares());
    }

    @Override
    public Transformed inverse(SDVariable y, SDVariable condition) {
        Transformed t = layers.get(layers.size() - 1).inverse(y, condition);
        SDVariable logDet = t.logDet();
        for (int i = layers.size() - 2; i >= 0; i--) {
            t = layers.get(i).inverse(t.value(), condition);
            logDet = logDet.add(t.logDet());
        }
        return new Transformed(t.value(), logDet);
    }
}
