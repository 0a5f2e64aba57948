package io.flowbench.run;

import io.flowbench.data.DatasetSplits;
import io.flowbench.model.FlowModel;
import io.flowbench.train.FlowTrainer;
import io.flowbench.train.PolyakAverage;
import java.util.function.Supplier;

/** What a run trains: its data, model, optimizer and Polyak averages ({@code average} null when off). */
record Training(DatasetSplits splits, FlowModel model, FlowTrainer trainer, PolyakAverage average) {
    /** The value of {@code use} computed with the averaged weights when averaging is on. */
    <T> T withAveragedWeights(Supplier<T> use) {
        return average == null ? use.get() : average.withAveragedWeights(use);
    }
}
