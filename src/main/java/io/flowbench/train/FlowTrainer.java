package io.flowbench.train;

import io.flowbench.model.FlowModel;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.IUpdater;

/**
 * Runs optimisation steps of a flow model on batches of dequantized images, minimising mean
 * bits/dim. The loss and every gradient come from one graph execution and are checked for NaN/Inf
 * before any parameter changes, so a bad step never corrupts the model; the updaters (and so their
 * state) are ours rather than hidden inside SameDiff's fit.
 */
public final class FlowTrainer {
    private final FlowModel model;
    private final IUpdater updaterConfig;
    private final Map<String, GradientUpdater> updaters = new LinkedHashMap<>();
    private final List<String> parameters = new ArrayList<>();
    private long steps;

    public FlowTrainer(FlowModel model, IUpdater updaterConfig) {
        this(model, updaterConfig, 0);
    }

    /** @param invConvL2 coefficient of the L2 penalty on the 1x1 convolutions' weights (0: none) */
    public FlowTrainer(FlowModel model, IUpdater updaterConfig, double invConvL2) {
        model.addL2Penalty(invConvL2);
        this.model = model;
        this.updaterConfig = updaterConfig;
        SameDiff sd = model.graph();
        createGradientsQuietly(sd);
        for (SDVariable v : sd.variables()) {
            if (v.getVariableType() == VariableType.VARIABLE) {
                parameters.add(v.name());
                long size = updaterConfig.stateSize(v.getArr().length());
                INDArray state = size == 0 ? null : Nd4j.zeros(v.dataType(), 1, size);
                updaters.put(v.name(), updaterConfig.instantiate(state, true));
            }
        }
    }

    /**
     * SameDiff 1.0.0-M2.1 prints one line per op to System.out while it builds the backward graph
     * (hundreds of lines per model); build it once here with that stream muted.
     */
    private static synchronized void createGradientsQuietly(SameDiff sd) {
        if (sd.hasGradientFunction()) {
            return;
        }
        PrintStream out = System.out;
        System.setOut(new PrintStream(OutputStream.nullOutputStream()));
        try {
            sd.createGradFunction();
        } finally {
            System.setOut(out);
        }
    }

    public FlowModel model() {
        return model;
    }

    public IUpdater updaterConfig() {
        return updaterConfig;
    }

    public long steps() {
        return steps;
    }

    /** The optimizer's state per parameter (live arrays: copy before keeping). */
    public Map<String, Map<String, INDArray>> optimizerState() {
        Map<String, Map<String, INDArray>> state = new LinkedHashMap<>();
        updaters.forEach((name, u) -> state.put(name, u.getState()));
        return state;
    }

    /** Continues from a checkpoint: the step count and the optimizer's state per parameter. */
    public void restore(long stepsDone, Map<String, Map<String, INDArray>> state) {
        if (!state.keySet().equals(updaters.keySet())) {
            throw new IllegalArgumentException("optimizer state is for parameters " + state.keySet()
                    + ", this model has " + updaters.keySet());
        }
        state.forEach((name, s) -> {
            if (!s.isEmpty()) {
                updaters.get(name).setState(s, false);
            }
        });
        steps = stepsDone;
    }

    /**
     * One optimisation step; returns the batch's mean bits/dim before the update.
     *
     * @throws NonFiniteLossException when the loss or a gradient is NaN or infinite (parameters unchanged)
     */
    public double step(INDArray x, INDArray labels) {
        if (!model.isInitialised()) {
            model.initialise(x, labels);
        }
        SameDiff sd = model.graph();
        OutAndGrad result = sd.calculateGradientsAndOutputs(model.inputs(x, labels), List.of(FlowModel.LOSS), parameters);
        long step = steps + 1;
        double loss = result.getOutputs().get(FlowModel.LOSS).getDouble(0);
        if (!Double.isFinite(loss)) {
            throw new NonFiniteLossException(step, loss);
        }
        Map<String, INDArray> gradients = result.getGradients();
        for (String name : parameters) {
            INDArray g = gradients.get(name);
            if (g != null && !Double.isFinite(g.sumNumber().doubleValue())) {
                throw new NonFiniteLossException(step, loss, name);
            }
        }
        for (String name : parameters) {
            INDArray g = gradients.get(name);
            if (g != null) {
                updaters.get(name).applyUpdater(g, Math.toIntExact(steps), 0);
                sd.getArrForVarName(name).subi(g);
            }
        }
        steps = step;
        return loss;
    }
}
