package io.flowbench.bench;

import com.typesafe.config.ConfigUtil;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Renders benchmark results as a table for people and as JSON for tools. */
public final class BenchReport {
    private BenchReport() {
    }

    public static String table(List<BenchResult> results) {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "%-6s %-9s %6s %10s %10s %8s %9s %9s %9s%n", "model", "phase", "batch",
                "median ms", "images/s", "GFLOP/s", "heap MiB", "off-heap", "RSS MiB"));
        for (BenchResult r : results) {
            for (PhaseResult p : r.phases()) {
                out.append(String.format(Locale.ROOT, "%-6s %-9s %6d %10.1f %10.1f %8.1f %9.0f %9.0f %9.0f%n",
                        r.variant(), p.phase(), p.batch(), p.medianSeconds() * 1e3, p.imagesPerSecond(),
                        p.gflopsPerSecond(), BenchResult.mib(p.memory().heapBytes()),
                        BenchResult.mib(p.memory().offHeapBytes()), BenchResult.mib(p.memory().residentBytes())));
            }
        }
        return out.toString();
    }

    /** One line per result: the model, its size and FLOPs, set-up times and the load. */
    public static String header(BenchResult r) {
        return String.format(Locale.ROOT,
                "%s/%s: %s, input %s, %d levels x %d steps, width %d, %,d parameters; %.1f MFLOP/image forward; "
                        + "build %.1f s, first step %.1f s, %d warm-up steps; load %.2f -> %.2f",
                r.preset(), r.variant(), r.spec().step().describe(), r.spec().input(), r.spec().levels(),
                r.spec().depth(), r.spec().hidden(), r.parameters(), r.flops().forwardPerImage() / 1e6,
                r.buildSeconds(), r.firstStepSeconds(), r.options().warmupSteps(), r.machine().loadBefore(),
                r.machine().loadAfter());
    }

    public static String json(List<BenchResult> results) {
        StringBuilder out = new StringBuilder();
        write(out, Map.of("results", results.stream().map(BenchResult::toMap).toList()), "");
        return out.append('\n').toString();
    }

    private static void write(StringBuilder out, Object v, String indent) {
        if (v == null) {
            out.append("null");
        } else if (v instanceof Map<?, ?> map) {
            out.append('{');
            String inner = indent + "  ";
            boolean first = true;
            for (Map.Entry<?, ?> e : map.entrySet()) {
                out.append(first ? "\n" : ",\n").append(inner);
                out.append(ConfigUtil.quoteString(e.getKey().toString()));
                out.append(": ");
                write(out, e.getValue(), inner);
                first = false;
            }
            out.append(first ? "}" : "\n" + indent + "}");
        } else if (v instanceof List<?> list) {
            boolean scalars = list.stream().noneMatch(e -> e instanceof Map || e instanceof List);
            out.append('[');
            for (int i = 0; i < list.size(); i++) {
                out.append(i == 0 ? "" : ",").append(scalars ? (i == 0 ? "" : " ") : "\n" + indent + "  ");
                write(out, list.get(i), indent + "  ");
            }
            out.append(scalars || list.isEmpty() ? "]" : "\n" + indent + "]");
        } else if (v instanceof Number n) {
            double d = n.doubleValue();
            if (!Double.isFinite(d)) {
                out.append("null");
            } else if (n instanceof Integer || n instanceof Long) {
                out.append(n.longValue());
            } else {
                out.append(String.format(Locale.ROOT, "%.6g", d).replaceFirst("(\\.\\d*?)0+(e|$)", "$1$2")
                        .replaceFirst("\\.(e|$)", "$1"));
            }
        } else if (v instanceof Boolean b) {
            out.append(b);
        } else {
            out.append(ConfigUtil.quoteString(v.toString()));
        }
    }
}
