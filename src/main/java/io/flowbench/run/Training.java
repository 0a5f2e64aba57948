package io.flowbench.run;

import io.flowbench.data.DatasetSplits;
import io.flowbench.model.FlowModel;
import io.flowbench.train.FlowTrainer;
import io.flowbench.train.PolyakAverage;
import java.util.function.Supplier;
import org.nd4j.linalg.api.ndarray.INDArray;

/** What a run trains: its data, model, optimizer and Polyak averages ({@code average} null when off). */
record Training(DatasetSplits splits, FlowModel model, FlowTrainer trainer, PolyakAverage average) {
    /** The value of {@code use} computed with the averaged weights when averaging is on. */
    <T> T withAveragedWeights(Supplier<T> use) {
        return average == null ? use.get() : average.withAveragedWeights(use);
    }

    /**
     * One optimisation step on the dequantized batch x; returns its bits/dim before the update. The
     * first step initialises the model on its batch (data-dependent) and the average at those weights;
     * after each step the average follows the weights, or starts over with them when the model
     * restarted from its initial parameters (a likelihood-contribution warm-up followed by a restart).
     */
    double step(INDArray x, INDArray labels) {
        if (!model.isInitialised()) {
            model.initialise(x, labels);
            if (average != null) {
                average.reset();
            }
        }
        double loss = trainer.step(x, labels);
        if (average != null) {
            long step = trainer.steps();
            if (model.restartedAfter(step) == step) {
                average.reset();
            } else {
                average.update();
            }
        }
        return loss;
    }
}
