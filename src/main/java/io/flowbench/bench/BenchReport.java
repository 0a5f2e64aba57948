package io.flowbench.bench;

import io.flowbench.util.Json;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Renders benchmark results as a table for people and as JSON for tools. */
public final class BenchReport {
    private BenchReport() {
    }

    public static String table(List<BenchResult> results) {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "%-6s %-9s %6s %10s %10s %8s %7s %9s %9s %9s%n", "model", "phase", "batch",
                "median ms", "images/s", "GFLOP/s", "% peak", "heap MiB", "off-heap", "RSS MiB"));
        for (BenchResult r : results) {
            for (PhaseResult p : r.phases()) {
                out.append(String.format(Locale.ROOT, "%-6s %-9s %6d %10.1f %10.1f %8s %7s %9.0f %9.0f %9.0f%n",
                        r.variant(), p.phase(), p.batch(), p.medianSeconds() * 1e3, p.imagesPerSecond(),
                        oneDecimal(p.gflopsPerSecond()), oneDecimal(r.percentOfPeak(p)), BenchResult.mib(p.memory().heapBytes()),
                        BenchResult.mib(p.memory().offHeapBytes()), BenchResult.mib(p.memory().residentBytes())));
            }
        }
        return out.toString();
    }

    /** "-" where the figure is not known (the FLOPs of an iterated inverse). */
    private static String oneDecimal(double value) {
        return Double.isNaN(value) ? "-" : String.format(Locale.ROOT, "%.1f", value);
    }

    /** One line per result: the model, its size and FLOPs, set-up times, the machine's peak and the load. */
    public static String header(BenchResult r) {
        FmaPeak peak = r.machine().peak();
        return String.format(Locale.ROOT,
                "%s/%s: %s, input %s, %d levels x %d steps, width %d, %,d parameters; %.1f MFLOP/image forward; "
                        + "build %.1f s, first step %.1f s, %d warm-up steps; FMA peak %.0f GFLOP/s (%s, %d threads; "
                        + "OpenBLAS sgemm %.0f); "
                        + "load %.2f -> %.2f",
                r.preset(), r.variant(), r.spec().step().describe(), r.spec().input(), r.spec().levels(),
                r.spec().depth(), r.spec().hidden(), r.parameters(), r.flops().forwardPerImage() / 1e6,
                r.buildSeconds(), r.firstStepSeconds(), r.options().warmupSteps(), peak.gflopsPerSecond(),
                peak.kernel(), peak.threads(), peak.sgemmGflopsPerSecond(), r.machine().loadBefore(), r.machine().loadAfter());
    }

    /** The results as JSON ({@code {"results": [...]}}, one {@link BenchResult#toMap()} each). */
    public static String json(List<BenchResult> results) {
        return Json.pretty(Map.of("results", results.stream().map(BenchResult::toMap).toList()));
    }
}
