package io.flowbench.bench;

/**
 * One measured phase (training steps, evaluation or sampling calls): batch size, the timed calls'
 * median, fastest and slowest wall time, images/s and achieved GFLOP/s at the median (NaN where the FLOPs
 * are not known in advance), peak memory.
 */
public record PhaseResult(String phase, int batch, int calls, double medianSeconds, double minSeconds,
                          double maxSeconds, double imagesPerSecond, double gflopsPerSecond, Memory memory) {

    static PhaseResult of(String phase, int batch, double[] seconds, double flopsPerCall, Memory memory) {
        double[] sorted = seconds.clone();
        java.util.Arrays.sort(sorted);
        int n = sorted.length;
        double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        return new PhaseResult(phase, batch, n, median, sorted[0], sorted[n - 1], batch / median,
                flopsPerCall / median / 1e9, memory);
    }
}
