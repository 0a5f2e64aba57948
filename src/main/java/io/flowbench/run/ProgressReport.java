package io.flowbench.run;

/** Reports each logging window on the console: step, throughput, train bits/dim and the time left. */
record ProgressReport(Progress progress, String runName, RunSettings settings) implements TrainingListener {
    @Override
    public void onWindow(TrainingWindow.Summary window) {
        progress.update(runName, window.step(), settings.steps(), window.imagesPerSecond(settings.batchSize()),
                window.meanLoss(), secondsLeft(window));
    }

    /** Until the first budget runs out, at the window's pace. */
    private double secondsLeft(TrainingWindow.Summary window) {
        double bySteps = settings.steps() > 0
                ? (settings.steps() - window.step()) * window.secondsPerStep() : Double.POSITIVE_INFINITY;
        double byWall = settings.wallMinutes() > 0
                ? settings.wallMinutes() * 60 - window.trainSeconds() : Double.POSITIVE_INFINITY;
        return Math.min(bySteps, byWall);
    }
}
