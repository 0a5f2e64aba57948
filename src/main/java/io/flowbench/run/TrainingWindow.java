package io.flowbench.run;

import java.util.Map;

/**
 * The training time so far and the logging window in progress (the steps since the last logged one),
 * kept in checkpoints so that a run resumed between two logged steps logs the same values as one never
 * interrupted.
 */
final class TrainingWindow {
    private static final String TRAIN_SECONDS = "train_seconds";
    private static final String LOSS_SUM = "window.loss_sum";
    private static final String STEPS = "window.steps";
    private static final String SECONDS = "window.seconds";

    private double trainSeconds;
    private double lossSum;
    private int steps;
    private double seconds;

    /** What a closed window measured: its steps' summed loss and time, and the training time at its end. */
    record Summary(long step, int steps, double lossSum, double seconds, double trainSeconds) {
        double meanLoss() {
            return lossSum / steps;
        }

        double imagesPerSecond(int batchSize) {
            return steps * batchSize / seconds;
        }

        double secondsPerStep() {
            return seconds / steps;
        }
    }

    static TrainingWindow of(Map<String, String> metadata) {
        TrainingWindow w = new TrainingWindow();
        w.trainSeconds = Double.parseDouble(metadata.getOrDefault(TRAIN_SECONDS, "0"));
        w.lossSum = Double.parseDouble(metadata.getOrDefault(LOSS_SUM, "0"));
        w.steps = Integer.parseInt(metadata.getOrDefault(STEPS, "0"));
        w.seconds = Double.parseDouble(metadata.getOrDefault(SECONDS, "0"));
        return w;
    }

    /** Seconds spent in training steps over the whole run (evaluation, sampling and checkpoints excluded). */
    double trainSeconds() {
        return trainSeconds;
    }

    void add(double loss, double dt) {
        trainSeconds += dt;
        lossSum += loss;
        steps++;
        seconds += dt;
    }

    /** Ends the window at {@code step} and starts the next. */
    Summary close(long step) {
        Summary summary = new Summary(step, steps, lossSum, seconds, trainSeconds);
        lossSum = 0;
        steps = 0;
        seconds = 0;
        return summary;
    }

    Map<String, String> metadata() {
        return Map.of(TRAIN_SECONDS, Double.toString(trainSeconds), LOSS_SUM, Double.toString(lossSum),
                STEPS, Integer.toString(steps), SECONDS, Double.toString(seconds));
    }
}
