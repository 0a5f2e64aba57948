package io.flowbench.flow;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A layer whose log-det is a random estimate (Residual Flows' invertible residual block): its random
 * inputs are placeholders the owner of the graph fills before each execution, from a stream it seeds,
 * and its weights are constrained by state it refines after every change of the weights. A layer
 * registers itself with its {@link FlowGraph}, so the model that owns the graph finds it.
 */
public interface StochasticLayer {

    /** The layer's name in the graph (used in warnings). */
    String name();

    /** Draws the random inputs of one execution on a batch of {@code batch} examples into {@code inputs}. */
    void feed(Map<String, INDArray> inputs, long batch, SplittableRandom rng);

    /**
     * Placeholders that a forward-only execution fills before the training graph runs, each to the
     * output it is copied from (the Neumann gradient's series and vector), which may depend on the
     * draws already in {@code inputs}; empty when none.
     */
    Map<String, String> precomputedInputs(Map<String, INDArray> inputs);

    /** Refines the weight constraint's state (spectral norms) after the weights changed. */
    void renormalise();

    /** The variable holding the rounds the inverse iterated (after the inverse was built), or null. */
    String inverseIterationsName();

    /** The most rounds the inverse iterates: reaching it means it may not have converged. */
    int inverseIterationCap();

    /**
     * Runs one forward-only execution for the {@link #precomputedInputs} of every given layer and adds
     * them to {@code inputs}, which must already hold the layers' draws. Nothing when none has any.
     */
    static void precompute(SameDiff sd, List<? extends StochasticLayer> layers, Map<String, INDArray> inputs) {
        List<Map.Entry<String, String>> wanted = new ArrayList<>();
        layers.forEach(layer -> wanted.addAll(layer.precomputedInputs(inputs).entrySet()));
        if (wanted.isEmpty()) {
            return;
        }
        Map<String, INDArray> out = sd.output(inputs, wanted.stream().map(Map.Entry::getValue).toArray(String[]::new));
        wanted.forEach(e -> inputs.put(e.getKey(), out.get(e.getValue())));
    }
}
