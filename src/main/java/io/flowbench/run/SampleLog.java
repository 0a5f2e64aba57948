package io.flowbench.run;

import io.flowbench.model.ModelSpec;
import io.flowbench.tracking.TrackedRun;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * At each evaluation, samples {@code evaluation.samples} images from the (averaged) weights with the run's seed
 * (class-conditional models: classes in turn) and logs them as the grid {@code samples/step-<step>.png}.
 */
record SampleLog(RunPlan plan, TrackedRun run, Training training) implements TrainingListener {
    @Override
    public void onEvaluation(Evaluation evaluation) {
        RunSettings s = plan.settings();
        if (s.samples() <= 0) {
            return;
        }
        ModelSpec spec = plan.model();
        var model = training.model();
        INDArray labels = spec.conditional()
                ? model.oneHot(IntStream.range(0, s.samples()).map(i -> i % spec.numClasses()).toArray())
                : null;
        INDArray images = training.withAveragedWeights(
                () -> model.forEvaluation().sample(s.samples(), s.temperature(), plan.seed(), labels));
        run.logImage(SampleGrid.of(images, spec.nBits()), RunKeys.Artifact.samples(evaluation.step()));
    }
}
