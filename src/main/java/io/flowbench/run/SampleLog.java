package io.flowbench.run;

import io.flowbench.model.ModelSpec;
import io.flowbench.tracking.TrackedRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * At each evaluation, samples {@code evaluation.samples} images from the (averaged) weights with the run's seed
 * (class-conditional models: classes in turn) and logs them as the grid {@code samples/step-<step>.png}.
 */
record SampleLog(RunPlan plan, TrackedRun run, Training training) implements TrainingListener {
    @Override
    public void onEvaluation(Evaluation evaluation) throws IOException {
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
                () -> model.sample(s.samples(), s.temperature(), plan.seed(), labels));
        Path png = Files.createTempDirectory("flowbench-samples")
                .resolve(String.format("step-%07d.png", evaluation.step()));
        SampleGrid.write(images, spec.nBits(), png);
        run.logArtifact(png, RunKeys.Artifact.SAMPLES_DIR);
    }
}
