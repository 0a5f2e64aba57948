package io.flowbench.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The CI gate: each variant's final test bits/dim of the smoke experiment (mean over its seeds) against
 * ci/baselines.conf. Higher than expected + tolerance is a regression; lower than expected - tolerance passes
 * but is reported (record it with --update, or look for a bug that flatters the likelihood). A failed run,
 * a variant without a baseline and a baseline without a result fail the gate too.
 */
public final class RegressionCheck {

    private RegressionCheck() {
    }

    public enum Verdict {
        PASS(true), IMPROVED(true), REGRESSED(false), RUN_FAILED(false), NO_RESULT(false), NO_BASELINE(false);

        private final boolean ok;

        Verdict(boolean ok) {
            this.ok = ok;
        }

        public boolean ok() {
            return ok;
        }
    }

    /** What the smoke experiment measured for a variant: its runs, how many finished, and their final test bits/dim. */
    public record Measured(int runs, int finished, Stats finalTestBpd) {

        static Measured of(List<RunResult> runs) {
            List<RunResult> done = runs.stream().filter(RunResult::finished).toList();
            return new Measured(runs.size(), done.size(), RunResult.finalTestBpd(done));
        }
    }

    /** One variant's comparison; {@code baseline} or {@code measured} is null when missing. */
    public record Line(String variant, Baselines.Entry baseline, Measured measured, Verdict verdict) {

        /** Measured mean minus expected; NaN when either is missing. */
        public double delta() {
            return baseline == null || measured == null ? Double.NaN : measured.finalTestBpd().mean() - baseline.expected();
        }
    }

    public static Map<String, Measured> measured(ExperimentResults results) {
        Map<String, Measured> out = new LinkedHashMap<>();
        results.variants().forEach(v -> out.put(v, Measured.of(results.runsOf(v))));
        return out;
    }

    /** Every variant of the baselines and of the results, baselines' order first. */
    public static List<Line> check(Map<String, Baselines.Entry> baselines, Map<String, Measured> measured) {
        Set<String> names = new LinkedHashSet<>(baselines.keySet());
        names.addAll(measured.keySet());
        List<Line> lines = new ArrayList<>();
        for (String v : names) {
            Baselines.Entry b = baselines.get(v);
            Measured m = measured.get(v);
            lines.add(new Line(v, b, m, verdict(b, m)));
        }
        return lines;
    }

    static Verdict verdict(Baselines.Entry b, Measured m) {
        if (m == null) {
            return Verdict.NO_RESULT;
        }
        if (m.finished() < m.runs() || m.finalTestBpd().isEmpty()) {
            return Verdict.RUN_FAILED;
        }
        if (b == null) {
            return Verdict.NO_BASELINE;
        }
        double mean = m.finalTestBpd().mean();
        if (mean > b.expected() + b.tolerance()) {
            return Verdict.REGRESSED;
        }
        return mean < b.expected() - b.tolerance() ? Verdict.IMPROVED : Verdict.PASS;
    }

    public static boolean passed(List<Line> lines) {
        return lines.stream().allMatch(l -> l.verdict().ok());
    }

    /** The comparison as a Markdown table with a line of explanation per verdict that needs one. */
    public static String table(List<Line> lines) {
        Table t = new Table("lrrrrrl", "variant", "expected", "tolerance", "measured", "seed sd", "change", "verdict");
        for (Line l : lines) {
            Stats s = l.measured() == null ? Stats.EMPTY : l.measured().finalTestBpd();
            t.row(l.variant(), l.baseline() == null ? "-" : Stats.fixed(l.baseline().expected(), 4),
                    l.baseline() == null ? "-" : "± " + Stats.fixed(l.baseline().tolerance(), 4),
                    s.isEmpty() ? "-" : Stats.fixed(s.mean(), 4) + " (" + s.n() + (s.n() == 1 ? " seed)" : " seeds)"),
                    s.n() > 1 ? Stats.fixed(s.sd(), 4) : "-",
                    Double.isNaN(l.delta()) ? "-" : String.format(Locale.ROOT, "%+.4f", l.delta()), l.verdict().name());
        }
        StringBuilder sb = new StringBuilder(t.markdown());
        for (Line l : lines) {
            String why = switch (l.verdict()) {
                case REGRESSED -> "test bits/dim rose beyond the tolerance";
                case IMPROVED -> "better than recorded beyond the tolerance: if intended, record it with --update";
                case RUN_FAILED -> (l.measured().runs() - l.measured().finished()) + " of " + l.measured().runs()
                        + " runs did not finish";
                case NO_RESULT -> "in the baselines but not run by the smoke experiment";
                case NO_BASELINE -> "no baseline recorded: record one with --update";
                default -> null;
            };
            if (why != null) {
                sb.append(String.format("%n%s: %s", l.variant(), why));
            }
        }
        return sb.toString();
    }
}
