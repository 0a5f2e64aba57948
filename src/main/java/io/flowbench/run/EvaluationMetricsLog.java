package io.flowbench.run;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Logs each evaluation's bits/dim (with its standard error when the log-det is a random estimate) and
 * per-level volume change, with the training time and images seen.
 */
record EvaluationMetricsLog(MetricLog metrics, TrainingWindow window, int batchSize) implements TrainingListener {
    @Override
    public void onEvaluation(Evaluation evaluation) {
        long step = evaluation.step();
        Map<String, Double> points = new LinkedHashMap<>();
        points.put(evaluation.metric(), evaluation.bitsPerDim());
        evaluation.result().standardError().ifPresent(se -> points.put(RunKeys.Metric.standardError(evaluation.metric()), se));
        points.put(RunKeys.Metric.TRAIN_TIME_SEC, window.trainSeconds());
        points.put(RunKeys.Metric.IMAGES_SEEN, (double) step * batchSize);
        double[] volumes = evaluation.result().levelVolumeBits();
        for (int level = 0; level < volumes.length; level++) {
            points.put(RunKeys.Metric.volume(level), volumes[level]);
        }
        metrics.log(points, step);
    }
}
