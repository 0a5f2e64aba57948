package io.flowbench.bench;

/**
 * How long the benchmark measures. Training throughput climbs for about 100 steps after the graph is
 * built (JIT compilation, oneDNN primitive caches, SameDiff's array cache), so the timed steps follow
 * {@code warmupSteps} untimed ones; evaluation and sampling each get {@code warmupCalls} untimed calls
 * before {@code calls} timed ones. With {@code profile}, each phase is run again as many times with a
 * per-op timing listener attached (after the timed calls, so the listener's cost is not in them). With
 * {@code memoryGuard}, a {@link io.flowbench.run.NativeMemoryGuard} holds native memory near what is alive, as
 * {@code run} does, so that peaks measure need rather than when the garbage collector happened to run.
 */
public record BenchOptions(int warmupSteps, int steps, int warmupCalls, int calls, boolean profile,
                           boolean memoryGuard) {
    public BenchOptions {
        if (warmupSteps < 0 || warmupCalls < 0) {
            throw new IllegalArgumentException("warm-up counts must be >= 0");
        }
        if (steps < 1 || calls < 1) {
            throw new IllegalArgumentException("--steps and --calls must be >= 1, got " + steps + " and " + calls);
        }
    }
}
