package io.flowbench.run;

import io.flowbench.train.FlowTrainer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Logs each logging window's training metrics: mean train bits/dim, learning rate, the gradient norm of the
 * window's last step (before clipping), throughput, time, images.
 */
record TrainingMetricsLog(MetricLog metrics, RunSettings settings, FlowTrainer trainer) implements TrainingListener {
    @Override
    public void onWindow(TrainingWindow.Summary window) {
        long step = window.step();
        Map<String, Double> m = new LinkedHashMap<>();
        m.put(RunKeys.Metric.TRAIN_BPD, window.meanLoss());
        m.put(RunKeys.Metric.LR, settings.schedule().valueAt(trainer.scheduleIteration(step), 0));
        m.put(RunKeys.Metric.GRAD_NORM, trainer.gradientNorm());
        m.put(RunKeys.Metric.IMAGES_PER_SEC, window.imagesPerSecond(settings.batchSize()));
        m.put(RunKeys.Metric.TRAIN_TIME_SEC, window.trainSeconds());
        m.put(RunKeys.Metric.IMAGES_SEEN, (double) step * settings.batchSize());
        metrics.log(m, step);
    }
}
