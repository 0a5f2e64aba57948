package io.flowbench.run;

import io.flowbench.data.ImageDataset;
import java.io.IOException;
import java.util.stream.IntStream;

/**
 * Evaluates the (averaged) weights every {@code evaluation.every-steps} on a prefix of the test split, and on
 * the whole test split when the budget is spent, and passes each evaluation on to the listeners.
 */
final class EvaluationSchedule implements TrainingListener {
    private final RunSettings settings;
    private final Training training;
    private final MetricLog metrics;
    private final TrainingListener listeners;
    private final Evaluator periodic;
    private final Evaluator full;
    private Evaluation last;

    EvaluationSchedule(RunSettings settings, Training training, MetricLog metrics, TrainingListener listeners) {
        this.settings = settings;
        this.training = training;
        this.metrics = metrics;
        this.listeners = listeners;
        ImageDataset test = training.splits().test();
        this.periodic = new Evaluator(prefix(test, settings.evalTestExamples()), settings.evalBatchSize(),
                settings.evalNoiseSeed());
        this.full = new Evaluator(test, settings.evalBatchSize(), settings.evalNoiseSeed());
    }

    /** A resumed run does not evaluate again at a step whose evaluation is logged. */
    @Override
    public void onStep(long step) throws IOException {
        if (step % settings.evalEverySteps() == 0 && step > metrics.lastStep(RunKeys.Metric.TEST_BPD)) {
            evaluate(periodic, RunKeys.Metric.TEST_BPD, step);
        }
    }

    @Override
    public void onFinish(long steps) throws IOException {
        evaluate(full, RunKeys.Metric.FINAL_TEST_BPD, steps);
    }

    /** The last evaluation (the final one once the run finished). */
    Evaluation last() {
        return last;
    }

    private void evaluate(Evaluator evaluator, String metric, long step) throws IOException {
        Evaluator.Result result = training.withAveragedWeights(() -> evaluator.evaluate(training.model()));
        last = new Evaluation(metric, step, evaluator.size(), result);
        listeners.onEvaluation(last);
    }

    private static ImageDataset prefix(ImageDataset test, int examples) {
        if (examples == 0 || examples >= test.size()) {
            return test;
        }
        return test.select(IntStream.range(0, examples).toArray(), test.split(), "first " + examples + " for evaluation");
    }
}
