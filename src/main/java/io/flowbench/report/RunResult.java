package io.flowbench.report;

import io.flowbench.tracking.RunStatus;
import java.util.List;
import java.util.Map;

/**
 * What one tracked run (a variant with a seed) contributes to a comparison, read back from the tracking
 * store: its identity, budget spent, throughput, learning curve and final test bits/dim.
 *
 * @param params          the run's params (the flattened resolved configuration, data provenance)
 * @param parameterCount  trainable parameters, -1 when not recorded
 * @param imagesPerSecond training throughput after warm-up (median of the logged windows but the first)
 * @param finalTestBpd    test bits/dim on the whole test split at the end (EMA weights); NaN when not logged
 * @param curve           the periodic evaluations, ordered by step
 */
public record RunResult(String runId, String runName, String variant, long seed, RunStatus status,
                        Map<String, String> params, long parameterCount, long steps, double imagesSeen,
                        double trainSeconds, double imagesPerSecond, double finalTestBpd, List<EvalPoint> curve) {

    public RunResult {
        params = Map.copyOf(params);
        curve = List.copyOf(curve);
    }

    public boolean finished() {
        return status == RunStatus.FINISHED;
    }

    /** The lowest periodic test bits/dim; NaN without evaluations. */
    public double bestTestBpd() {
        return curve.stream().mapToDouble(EvalPoint::testBpd).filter(Double::isFinite).min().orElse(Double.NaN);
    }

    public String param(String key, String fallback) {
        return params.getOrDefault(key, fallback);
    }

    /** The model as the run describes it (e.g. "dlf (K = 2, non-inverse)"), else its kind. */
    public String modelDescription() {
        return params.getOrDefault("model.description", params.getOrDefault("model.kind", "?"));
    }
}
