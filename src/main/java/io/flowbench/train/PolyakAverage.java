package io.flowbench.train;

import io.flowbench.model.FlowModel;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Exponential moving average of a model's parameters (Polyak averaging, as in the Glow and DLF
 * reference code), used in place of the raw weights for evaluation and sampling.
 */
public final class PolyakAverage {
    private final FlowModel model;
    private final double decay;
    private final Map<String, INDArray> averages = new LinkedHashMap<>();

    public PolyakAverage(FlowModel model, double decay) {
        if (!(decay >= 0 && decay < 1)) {
            throw new IllegalArgumentException("EMA decay must be in [0, 1), got " + decay);
        }
        this.model = model;
        this.decay = decay;
        for (SDVariable v : model.graph().variables()) {
            if (v.getVariableType() == VariableType.VARIABLE) {
                averages.put(v.name(), v.getArr().dup());
            }
        }
    }

    public double decay() {
        return decay;
    }

    /** Restarts the average at the current weights (after data-dependent initialisation, say). */
    public void reset() {
        averages.forEach((name, avg) -> avg.assign(model.graph().getArrForVarName(name)));
    }

    /** avg = decay * avg + (1 - decay) * current, after each optimisation step. */
    public void update() {
        averages.forEach((name, avg) -> avg.muli(decay).addi(model.graph().getArrForVarName(name).mul(1 - decay)));
    }

    /** Runs {@code work} with the averaged weights in the model, then puts the raw weights back. */
    public <T> T withAveragedWeights(Supplier<T> work) {
        Map<String, INDArray> raw = new LinkedHashMap<>();
        averages.forEach((name, avg) -> {
            INDArray current = model.graph().getArrForVarName(name);
            raw.put(name, current.dup());
            current.assign(avg);
        });
        try {
            return work.get();
        } finally {
            raw.forEach((name, value) -> model.graph().getArrForVarName(name).assign(value));
        }
    }

    /** The averaged weights by parameter name (live arrays: copy before keeping). */
    public Map<String, INDArray> averages() {
        return averages;
    }
}
