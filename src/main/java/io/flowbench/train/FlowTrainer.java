package io.flowbench.train;

import io.flowbench.model.FlowModel;
import io.flowbench.samediff.GradientFunction;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.IUpdater;

/**
 * Runs optimisation steps of a flow model on batches of dequantized images, minimising mean
 * bits/dim. The loss and every gradient come from one graph execution and are checked for NaN/Inf
 * before any parameter changes, so a bad step never corrupts the model; the updaters (and so their
 * state) are ours rather than hidden inside SameDiff's fit. Optionally the gradients are clipped to a
 * global L2 norm before the update. When the model restarts from its initial parameters (a
 * likelihood-contribution warm-up followed by a restart), the optimiser's state is zeroed and its
 * learning-rate schedule counts from the restart.
 */
public final class FlowTrainer {
    private final FlowModel model;
    private final IUpdater updaterConfig;
    private final Map<String, GradientUpdater> updaters = new LinkedHashMap<>();
    private final List<String> parameters = new ArrayList<>();
    /** Parameter name to the name of its gradient variable in the gradient function. */
    private final Map<String, String> gradientNames = new LinkedHashMap<>();
    private String[] outputNames;
    /** The model's {@link FlowModel#generation} the gradient function was built for. */
    private int generation;
    private final double clipNorm;
    private long steps;
    private double gradientNorm = Double.NaN;

    public FlowTrainer(FlowModel model, IUpdater updaterConfig) {
        this(model, updaterConfig, 0, 0);
    }

    /**
     * @param invConvL2 coefficient of the L2 penalty on the 1x1 convolutions' weights (0: none)
     * @param clipNorm  the global gradient norm above which gradients are scaled down to it (0: no clipping)
     */
    public FlowTrainer(FlowModel model, IUpdater updaterConfig, double invConvL2, double clipNorm) {
        if (!(clipNorm >= 0) || Double.isInfinite(clipNorm)) {
            throw new IllegalArgumentException("gradient clipping norm must be finite and >= 0, got " + clipNorm);
        }
        model.addL2Penalty(invConvL2);
        this.model = model;
        this.updaterConfig = updaterConfig;
        this.clipNorm = clipNorm;
        for (SDVariable v : model.graph().variables()) {
            if (v.getVariableType() == VariableType.VARIABLE) {
                parameters.add(v.name());
                long size = updaterConfig.stateSize(v.getArr().length());
                INDArray state = size == 0 ? null : Nd4j.zeros(v.dataType(), 1, size);
                updaters.put(v.name(), updaterConfig.instantiate(state, true));
            }
        }
        createGradientFunction();
    }

    /**
     * The backward graph of the model's current graph. The updaters are kept by parameter name, so a
     * model rebuilt with a larger log-det series (same parameters) keeps its optimiser state.
     */
    private void createGradientFunction() {
        SameDiff sd = model.graph();
        GradientFunction.create(sd);
        gradientNames.clear();
        for (String name : parameters) {
            SDVariable v = sd.getVariable(name);
            if (v.getGradient() != null) {
                gradientNames.put(name, v.getGradient().name());
            }
        }
        List<String> outputs = new ArrayList<>(List.of(FlowModel.LOSS));
        outputs.addAll(gradientNames.values());
        this.outputNames = outputs.toArray(String[]::new);
        this.generation = model.generation();
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

    /** The global L2 norm of the last step's gradients, before any clipping (NaN before the first step). */
    public double gradientNorm() {
        return gradientNorm;
    }

    /** The L2 norm of all {@code gradients} taken as one vector, accumulated in double. */
    static double globalNorm(Collection<INDArray> gradients) {
        double sumOfSquares = 0;
        for (INDArray g : gradients) {
            double norm = g.norm2Number().doubleValue();
            sumOfSquares += norm * norm;
        }
        return Math.sqrt(sumOfSquares);
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
     * The 0-based iteration the learning-rate schedule (and Adam's bias correction) gives training step
     * {@code step} (from 1): counted from the model's last restart, if any.
     */
    public int scheduleIteration(long step) {
        return Math.toIntExact(step - 1 - model.restartedAfter(step - 1));
    }

    /** The batch's mean bits/dim (what training minimises, without any penalty) and each parameter's gradient. */
    public record LossAndGradients(double loss, Map<String, INDArray> gradients) { }

    /**
     * The loss and every parameter's gradient of the training objective from one execution of the
     * backward graph with its array cache on: exactly what a training step uses (a stochastic log-det
     * drawn from the stream of the next step). The arrays are the
     * session's: copy them before the next call.
     */
    public LossAndGradients lossAndGradients(INDArray x, INDArray labels) {
        Map<String, INDArray> inputs = model.trainingInputs(x, labels, steps + 1);
        if (model.generation() != generation) {
            createGradientFunction();
        }
        Map<String, INDArray> out = GradientFunction.execute(model.graph(), inputs, outputNames);
        Map<String, INDArray> gradients = new LinkedHashMap<>();
        gradientNames.forEach((param, grad) -> gradients.put(param, out.get(grad)));
        return new LossAndGradients(out.get(FlowModel.LOSS).getDouble(0), gradients);
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
        LossAndGradients out = lossAndGradients(x, labels);
        SameDiff sd = model.graph();
        long step = steps + 1;
        double loss = out.loss();
        if (!Double.isFinite(loss)) {
            throw new NonFiniteLossException(step, loss);
        }
        Map<String, INDArray> gradients = out.gradients();
        // A finite norm means every gradient is finite: one reduction per parameter serves both.
        gradientNorm = globalNorm(gradients.values());
        if (!Double.isFinite(gradientNorm)) {
            for (String name : parameters) {
                INDArray g = gradients.get(name);
                if (g != null && !Double.isFinite(g.sumNumber().doubleValue())) {
                    throw new NonFiniteLossException(step, loss, name);
                }
            }
        }
        if (clipNorm > 0 && gradientNorm > clipNorm) {
            double scale = clipNorm / gradientNorm;
            gradients.values().forEach(g -> g.muli(scale));
        }
        int iteration = scheduleIteration(step);
        for (String name : parameters) {
            INDArray g = gradients.get(name);
            if (g != null) {
                updaters.get(name).applyUpdater(g, iteration, 0);
                sd.getArrForVarName(name).subi(g);
            }
        }
        steps = step;
        if (model.afterTrainingStep(step, x, labels)) {
            optimizerState().values().forEach(state -> state.values().forEach(a -> a.assign(0)));
        }
        return loss;
    }
}
