package io.flowbench.report;

import io.flowbench.probe.ProbeOutcome;
import io.flowbench.tracking.RunStatus;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * What one tracked run (a variant with a seed) contributes to a comparison, read back from the tracking
 * store: its identity, inputs, budget spent, throughput, learning curve and final test bits/dim.
 *
 * @param inputs          absent only for a run that failed before it logged its params (loading its data, say)
 * @param steps           the last step with a logged budget; 0 when a run that did not finish logged none
 * @param imagesPerSecond training throughput after warm-up (median of the logged windows but the first)
 * @param finalTestBpd    test bits/dim on the whole test split at the end (EMA weights); absent unless the run
 *                        got that far (every FINISHED run has it)
 * @param finalTestBpdStderr its standard error over the test examples, estimator noise included; logged only by
 *                        models whose log-det is a random estimate (resflow), absent for the others
 * @param curve           the periodic evaluations, ordered by step
 * @param volumeBits      each level's volume change at the last periodic evaluation, in bits per dimension;
 *                        empty without evaluations (or for runs recorded before flowbench logged it)
 * @param probe           the linear probe at the end of training; absent for a run that did not get there, one
 *                        without it (probe.enabled off, an unlabelled dataset), or one recorded before it existed
 */
public record RunResult(String runId, String runName, String variant, long seed, RunStatus status,
                        Optional<RunInputs> inputs, long steps, double imagesSeen, double trainSeconds,
                        double imagesPerSecond, OptionalDouble finalTestBpd, OptionalDouble finalTestBpdStderr,
                        List<EvalPoint> curve, List<Double> volumeBits, Optional<ProbeOutcome> probe) {

    public RunResult {
        curve = List.copyOf(curve);
        volumeBits = List.copyOf(volumeBits);
    }

    /** A run without a standard error, volume figures or a probe. */
    public RunResult(String runId, String runName, String variant, long seed, RunStatus status,
                     Optional<RunInputs> inputs, long steps, double imagesSeen, double trainSeconds,
                     double imagesPerSecond, OptionalDouble finalTestBpd, List<EvalPoint> curve) {
        this(runId, runName, variant, seed, status, inputs, steps, imagesSeen, trainSeconds, imagesPerSecond,
                finalTestBpd, OptionalDouble.empty(), curve, List.of(), Optional.empty());
    }

    public boolean finished() {
        return status == RunStatus.FINISHED;
    }

    /** The lowest periodic test bits/dim; NaN without evaluations. */
    public double bestTestBpd() {
        return curve.stream().mapToDouble(EvalPoint::testBpd).filter(Double::isFinite).min().orElse(Double.NaN);
    }

    /**
     * The root mean square over runs of the final test bits/dim's standard error (a stochastic log-det's
     * runs); empty when no run logged one.
     */
    public static OptionalDouble finalTestBpdStderr(List<RunResult> runs) {
        double[] se = runs.stream().map(RunResult::finalTestBpdStderr).filter(OptionalDouble::isPresent)
                .mapToDouble(OptionalDouble::getAsDouble).toArray();
        return se.length == 0 ? OptionalDouble.empty()
                : OptionalDouble.of(Math.sqrt(Arrays.stream(se).map(x -> x * x).average().orElseThrow()));
    }

    /** Summary over runs of the final test bits/dim of those that have one. */
    public static Stats finalTestBpd(List<RunResult> runs) {
        return Stats.of(runs.stream().map(RunResult::finalTestBpd).filter(OptionalDouble::isPresent)
                .map(OptionalDouble::getAsDouble).toList());
    }
}
