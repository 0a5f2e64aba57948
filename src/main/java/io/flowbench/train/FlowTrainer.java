package io.flowbench.train;

import io.flowbench.model.FlowModel;
import io.flowbench.samediff.GradientFunction;
import io.flowbench.samediff.ReplayedExecution;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.ndarray.INDArray;
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
    private final List<String> parameters = new ArrayList<>();
    /** One optimizer over the gradients of the parameters that have one, laid end to end. */
    private FlatOptimizer optimizer;
    private String[] outputNames;
    /** Runs the backward graph; replays its ops when the model's ops follow from its inputs' shapes alone. */
    private ReplayedExecution execution;
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
            }
        }
        createGradientFunction();
    }

    /**
     * The backward graph of the model's current graph, asked for the loss and the gradients as one
     * vector. The optimiser's state is carried over by parameter name, so a model rebuilt with a larger
     * log-det series (same parameters) keeps it.
     */
    private void createGradientFunction() {
        SameDiff sd = model.graph();
        GradientFunction.create(sd);
        Map<String, long[]> shapes = new LinkedHashMap<>();
        List<String> gradients = new ArrayList<>();
        for (String name : parameters) {
            SDVariable v = sd.getVariable(name);
            if (v.getGradient() != null) {
                shapes.put(name, v.getArr().shape());
                gradients.add(v.getGradient().name());
            }
        }
        FlatOptimizer previous = optimizer;
        optimizer = new FlatOptimizer(updaterConfig, shapes, sd.getVariable(parameters.get(0)).dataType());
        if (previous != null) {
            for (String name : parameters) {
                Map<String, INDArray> was = previous.state(name);
                optimizer.state(name).forEach((key, now) -> {
                    if (was.containsKey(key)) { // a parameter that had no gradient before starts from zero
                        now.assign(was.get(key));
                    }
                });
            }
        }
        this.outputNames = new String[] {FlowModel.LOSS, GradientFunction.concatenated(sd, gradients)};
        if (execution != null) {
            execution.discard();
        }
        // A stochastic log-det's draws are fed as placeholders whose values may decide what runs.
        this.execution = model.hasStochasticLogDet() ? null : ReplayedExecution.ofBackward(sd, outputNames);
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

    /**
     * The optimizer's state per parameter, keyed as a per-parameter updater keys it (live views: copy
     * before keeping); empty for a parameter the loss has no gradient for.
     */
    public Map<String, Map<String, INDArray>> optimizerState() {
        Map<String, Map<String, INDArray>> state = new LinkedHashMap<>();
        parameters.forEach(name -> state.put(name, optimizer.state(name)));
        return state;
    }

    /** Continues from a checkpoint: the step count and the optimizer's state per parameter. */
    public void restore(long stepsDone, Map<String, Map<String, INDArray>> state) {
        if (!state.keySet().equals(new LinkedHashSet<>(parameters))) {
            throw new IllegalArgumentException("optimizer state is for parameters " + state.keySet()
                    + ", this model has " + parameters);
        }
        state.forEach((name, s) -> optimizer.state(name).forEach((key, view) -> view.assign(s.get(key))));
        steps = stepsDone;
    }

    /**
     * The 0-based iteration the learning-rate schedule (and Adam's bias correction) gives training step
     * {@code step} (from 1): counted from the model's last restart, if any.
     */
    public int scheduleIteration(long step) {
        return Math.toIntExact(step - 1 - model.restartedAfter(step - 1));
    }

    /**
     * The batch's mean bits/dim (what training minimises, without any penalty) and the gradients of the
     * parameters that have one: laid end to end in {@code vector}, and each as a view of it by name.
     */
    public record LossAndGradients(double loss, INDArray vector, Map<String, INDArray> gradients) { }

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
        Map<String, INDArray> out = execution != null ? execution.execute(inputs)
                : GradientFunction.execute(model.graph(), inputs, outputNames);
        INDArray vector = out.get(outputNames[1]);
        Map<String, INDArray> gradients = new LinkedHashMap<>();
        optimizer.slots().forEach(slot -> gradients.put(slot.name(), FlatOptimizer.view(vector, slot)));
        return new LossAndGradients(out.get(FlowModel.LOSS).getDouble(0), vector, gradients);
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
        INDArray vector = out.vector();
        // A finite norm means every gradient is finite: one reduction serves both.
        gradientNorm = vector.norm2Number().doubleValue();
        if (!Double.isFinite(gradientNorm)) {
            out.gradients().forEach((name, g) -> {
                if (!Double.isFinite(g.sumNumber().doubleValue())) {
                    throw new NonFiniteLossException(step, loss, name);
                }
            });
        }
        if (clipNorm > 0 && gradientNorm > clipNorm) {
            vector.muli(clipNorm / gradientNorm);
        }
        optimizer.toUpdate(vector, scheduleIteration(step));
        out.gradients().forEach((name, update) -> sd.getArrForVarName(name).subi(update));
        steps = step;
        if (model.afterTrainingStep(step, x, labels)) {
            optimizer.zeroState();
        }
        return loss;
    }
}
