package io.flowbench.run;

import java.io.IOException;

/**
 * One concern of training a run (logging metrics, reporting progress, evaluating, sampling, checkpointing,
 * recording artifacts), told what the training loop did. {@link RunExecutor} calls each hook on every
 * listener in the order they were registered, so a listener that needs another's effect is registered after it.
 */
interface TrainingListener {
    /** After training step {@code step} (counted from 1 over the whole run, resumes included). */
    default void onStep(long step) throws IOException {
    }

    /** After step {@code window.step()}, which closed a logging window. */
    default void onWindow(TrainingWindow.Summary window) throws IOException {
    }

    /** After an evaluation of the (averaged) weights, periodic or final. */
    default void onEvaluation(Evaluation evaluation) throws IOException {
    }

    /** The budget is spent after {@code steps} steps; the run ends FINISHED once every listener is done. */
    default void onFinish(long steps) throws IOException {
    }

    /** A stop was requested after {@code steps} steps; the run ends KILLED once every listener is done. */
    default void onStop(long steps) throws IOException {
    }

    /** The test bits/dim of {@code examples} test images at {@code step}, logged as {@code metric}. */
    record Evaluation(String metric, long step, int examples, Evaluator.Result result) {
        double bitsPerDim() {
            return result.bitsPerDim();
        }
    }
}
