package io.flowbench.flow;

import java.util.List;
import org.nd4j.autodiff.samediff.SDVariable;

/** Layers applied in order (and undone in reverse order); log-dets add up. */
public final class FlowSequence implements FlowLayer {
    private final List<FlowLayer> layers;

    public FlowSequence(List<FlowLayer> layers) {
        this.layers = List.copyOf(layers);
    }

    @Override
    public Transformed forward(SDVariable x, SDVariable condition) {
        SDVariable logDet = null;
        for (FlowLayer layer : layers) {
            Transformed t = layer.forward(x, condition);
            x = t.value();
            logDet = Transformed.addLogDets(logDet, t.logDet());
        }
        return new Transformed(x, logDet);
    }

    @Override
    public Transformed inverse(SDVariable y, SDVariable condition) {
        SDVariable logDet = null;
        for (int i = layers.size() - 1; i >= 0; i--) {
            Transformed t = layers.get(i).inverse(y, condition);
            y = t.value();
            logDet = Transformed.addLogDets(logDet, t.logDet());
        }
        return new Transformed(y, logDet);
    }
}
