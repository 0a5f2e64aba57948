package io.flowbench.report;

import io.flowbench.probe.ProbeOutcome;
import io.flowbench.report.EvalPoint.Budget;
import io.flowbench.reference.LikelihoodReference;
import io.flowbench.run.RunKeys;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;

/**
 * The comparison of an experiment's variants, built from its tracked runs alone: likelihood (final test
 * bits/dim per variant over seeds, beside published figures where the setting matches), convergence
 * (budget to reach a target test bits/dim and speed-up against the baseline, see {@link Convergence}), a
 * table of every run, learning curves, and each variant's linear probe when the runs logged it. Rendered as
 * Markdown, a self-contained HTML page, CSV tables and PNG charts.
 */
public final class ComparisonReport {
    public static final String MARKDOWN = "report.md";
    public static final String HTML = "report.html";
    static final String CURVES_PNG = "learning-curves.png";
    static final String CURVES_TIME_PNG = "learning-curves-time.png";
    /** The cell of a variant none of whose runs logged its inputs (all failed first). */
    private static final String NOT_LOGGED = "(not logged)";

    private final ExperimentResults results;
    private final String baseline;
    private final double target;
    private final boolean targetFromBaseline;
    private final List<String> warnings = new ArrayList<>();
    private final List<Convergence.Row> convergence;
    private final Document document;
    private final Map<String, String> csv = new LinkedHashMap<>();
    private final Map<String, byte[]> charts = new LinkedHashMap<>();

    private ComparisonReport(ExperimentResults results, ReportSettings settings) {
        this.results = results;
        List<String> variants = results.variants();
        if (!settings.baseline().isEmpty() && !variants.contains(settings.baseline())) {
            warnings.add("report.baseline '" + settings.baseline() + "' is not a variant of this experiment ("
                    + String.join(", ", variants) + "); the first variant is the baseline.");
        }
        this.baseline = variants.contains(settings.baseline()) ? settings.baseline() : variants.get(0);
        this.targetFromBaseline = settings.targetBpd() == 0;
        this.target = targetFromBaseline
                ? Convergence.defaultTarget(results.runsOf(baseline)).orElse(Double.NaN) : settings.targetBpd();
        this.convergence = Double.isNaN(target) ? List.of() : Convergence.table(results, baseline, target);
        results.runs().stream().filter(r -> !r.finished()).forEach(r -> warnings.add(
                "run " + r.runName() + " is " + r.status() + ": its curve counts as far as it got; it has "
                        + (r.finalTestBpd().isPresent() ? "a" : "no") + " final test bits/dim."));
        Optional<LikelihoodReference> reference = results.inputs().flatMap(RunInputs::reference);
        charts.put(CURVES_PNG, CurveChart.png(results, Budget.IMAGES, target, reference));
        charts.put(CURVES_TIME_PNG, CurveChart.png(results, Budget.TIME, target, reference));
        this.document = document();
        csv.put("likelihood.csv", ReportCsv.likelihood(results));
        csv.put("convergence.csv", ReportCsv.convergence(convergence, target));
        csv.put("runs.csv", ReportCsv.runs(results));
        csv.put("curves.csv", ReportCsv.curves(results));
    }

    /** Builds the report; {@code settings} choose the baseline and the target. */
    public static ComparisonReport of(ExperimentResults results, ReportSettings settings) {
        if (results.runs().isEmpty()) {
            throw new IllegalArgumentException("experiment '" + results.experiment() + "' has no runs to compare");
        }
        if (results.inputs().isEmpty()) {
            throw new IllegalArgumentException("no run of experiment '" + results.experiment() + "' got as far as "
                    + "logging its params (see each run's " + RunKeys.Tag.FAILURE + " tag): nothing to compare");
        }
        return new ComparisonReport(results, settings);
    }

    public String baseline() {
        return baseline;
    }

    /** The convergence target in test bits/dim; NaN when the baseline has no evaluation yet. */
    public double target() {
        return target;
    }

    public List<Convergence.Row> convergence() {
        return convergence;
    }

    public List<String> warnings() {
        return List.copyOf(warnings);
    }

    public String markdown() {
        return document.markdown();
    }

    public String html() {
        return document.html("flowbench: " + results.experiment());
    }

    /** Writes the report's files into {@code dir} (created when missing) and returns them. */
    public List<Path> writeTo(Path dir) {
        List<Path> files = new ArrayList<>();
        try {
            Files.createDirectories(dir);
            files.add(Files.writeString(dir.resolve(MARKDOWN), markdown()));
            files.add(Files.writeString(dir.resolve(HTML), html()));
            for (Map.Entry<String, String> c : csv.entrySet()) {
                files.add(Files.writeString(dir.resolve(c.getKey()), c.getValue()));
            }
            for (Map.Entry<String, byte[]> c : charts.entrySet()) {
                files.add(Files.write(dir.resolve(c.getKey()), c.getValue()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the report to " + dir, e);
        }
        return files;
    }

    // ------------------------------------------------------------------ the document

    private Document document() {
        RunInputs first = results.inputs().orElseThrow();
        Document d = new Document().heading(1, "Comparison: " + results.experiment());
        String seeds = results.runs().stream().map(r -> Long.toString(r.seed())).distinct()
                .collect(Collectors.joining(", "));
        d.paragraph(String.format(Locale.ROOT, "Parent run %s (started %s UTC) in %s: %d runs, variants %s x seeds %s. "
                        + "Dataset %s: %s training and %s test images.%s", results.parent().runId(),
                DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").format(
                        Instant.ofEpochMilli(results.parent().startTime()).atOffset(ZoneOffset.UTC)),
                results.store(), results.runs().size(), String.join(", ", results.variants()), seeds,
                first.dataset(), first.trainExamples(), first.testExamples(),
                results.otherParents() > 0 ? " The store holds " + results.otherParents() + " other invocation(s) of "
                        + "this experiment; `flowbench compare --parent RUN_ID` reports another." : ""));
        warnings.forEach(w -> d.paragraph("Note: " + w));
        likelihood(d, first);
        convergence(d, first);
        volume(d);
        probe(d, first);
        runs(d);
        d.heading(2, "Learning curves");
        d.paragraph("Periodic test bits/dim against images seen and against training time: the line is the mean over "
                + "seeds, the band spans the lowest to the highest seed, the dashed line is the convergence target, the "
                + "dotted lines the closed-form linear and affine flow figures when recorded.");
        d.image(CURVES_PNG, "test bits/dim against images seen", charts.get(CURVES_PNG));
        d.image(CURVES_TIME_PNG, "test bits/dim against training time", charts.get(CURVES_TIME_PNG));
        return d;
    }

    private void likelihood(Document d, RunInputs first) {
        d.heading(2, "Likelihood");
        boolean stochastic = results.runs().stream().anyMatch(r -> r.finalTestBpdStderr().isPresent());
        d.paragraph("Final test bits/dim on the whole test split (" + first.testExamples()
                + " images) with the Polyak-averaged (EMA) weights and fixed dequantization noise: mean ± sample "
                + "standard deviation over seeds, and the range over seeds. Training images/s: the median over logging "
                + "windows after the first (warm-up), averaged over seeds." + (stochastic ? " Estimate s.e.: where the "
                + "log-det is a random estimate (resflow), each run's final figure is itself an estimate; its standard "
                + "error over the test examples (estimator noise included), root mean square over seeds." : ""));
        List<String> header = new ArrayList<>(List.of("variant", "model", "parameters", "runs", "final test bits/dim", "range"));
        if (stochastic) {
            header.add("estimate s.e.");
        }
        header.addAll(List.of("training images/s", "published"));
        Table t = new Table("llrrrr" + (stochastic ? "r" : "") + "rl", header.toArray(String[]::new));
        for (String v : results.variants()) {
            List<RunResult> runs = results.runsOf(v);
            Optional<RunInputs> inputs = results.inputsOf(v);
            long finished = runs.stream().filter(RunResult::finished).count();
            Stats bpd = RunResult.finalTestBpd(runs);
            Stats ips = Stats.of(runs.stream().map(RunResult::imagesPerSecond).toList());
            List<String> row = new ArrayList<>(List.of(v + (v.equals(baseline) ? " (baseline)" : ""),
                    inputs.map(i -> i.model().step().describe()).orElse(NOT_LOGGED),
                    inputs.map(i -> String.format(Locale.ROOT, "%,d", i.parameterCount())).orElse(NOT_LOGGED),
                    finished == runs.size() ? Integer.toString(runs.size()) : finished + " of " + runs.size() + " finished",
                    bpd.meanSd(4), bpd.range(4)));
            if (stochastic) {
                OptionalDouble se = RunResult.finalTestBpdStderr(runs);
                row.add(se.isPresent() ? "± " + Stats.fixed(se.getAsDouble(), 4) : "-");
            }
            row.addAll(List.of(ips.isEmpty() ? "-" : Stats.fixed(ips.mean(), 0), inputs.map(PublishedResults::cell).orElse("-")));
            t.row(row.toArray(String[]::new));
        }
        first.reference().ifPresent(ref -> {
            referenceRow(t, "*linear flow, no bias*", ref.linear(), stochastic);
            referenceRow(t, "*affine flow*", ref.affine(), stochastic);
            referenceRow(t, "*element-wise affine*", ref.diagonal(), stochastic);
        });
        d.table(t);
        first.reference().ifPresentOrElse(ref -> d.paragraph(String.format(Locale.ROOT, "Reference rows (in italics): "
                        + "the best model of each linear class in closed form (Liao and He, arXiv 2102.06539), fit on the "
                        + "training split and scored on the whole test split at %d bits: a linear flow reaches %.4f "
                        + "bits/dim (%.4f with a bias), an element-wise model %.4f. A model that does not beat %.4f has "
                        + "learned nothing non-linear. The model column gives each fit's optimum on the training split. "
                        + "See docs/likelihood-reference.md.%s", ref.nBits(),
                        ref.linear().testBpd(), ref.affine().testBpd(), ref.diagonal().testBpd(), ref.affine().testBpd(),
                        first.trainExamples() <= ref.dimensions() ? " Here the training split has no more examples ("
                                + first.trainExamples() + ") than dimensions (" + ref.dimensions() + "): the full-matrix "
                                + "fits are singular up to the dequantization noise, so their test figures are meaningless."
                                : "")),
                () -> d.paragraph("Reference: no closed-form linear-flow figure was recorded for these runs (more than "
                        + "4,096 dimensions, or runs recorded before flowbench logged it)."));
        String dataset = first.dataset();
        if (!PublishedResults.hasDataset(dataset)) {
            d.paragraph("Published: neither the Glow, the Residual Flows nor the DLF paper reports a result on " + dataset + ".");
        } else {
            d.paragraph("Published: Glow figures from Kingma and Dhariwal (2018), Table 2, and Residual Flows figures "
                    + "from Chen et al. (2019) with the reference code's architecture; shown as comparable only for the same "
                    + "architecture (levels, steps, width, step options, factor-out, logit pre-processing, and a squeeze at "
                    + "the start of every level) on the full training set. DLF paper figures (arXiv 1905.03239) are not "
                    + "listed: not verified here. See docs/reports.md.");
        }
    }

    /** Where each variant expands or contracts volume: the levels' log-dets at the last periodic evaluation. */
    private void volume(Document d) {
        int levels = results.runs().stream().mapToInt(r -> r.volumeBits().size()).max().orElse(0);
        if (levels == 0) {
            return;
        }
        d.heading(2, "Volume change per level");
        d.paragraph("Each level's mean log|det J| over the periodic test images at the last evaluation, in bits per "
                + "image dimension (log-det / (D ln 2); metrics volume_bits_level<l>): positive where the level expands "
                + "volume, negative where it contracts it. Mean ± sample standard deviation over seeds. Liao and He "
                + "(arXiv 2102.06539) tie stable training to a balance of expansion and contraction.");
        List<String> header = new ArrayList<>(List.of("variant"));
        for (int l = 0; l < levels; l++) {
            header.add("level " + l);
        }
        Table t = new Table("l" + "r".repeat(levels), header.toArray(String[]::new));
        for (String v : results.variants()) {
            List<RunResult> runs = results.runsOf(v).stream().filter(r -> r.volumeBits().size() == levels).toList();
            List<String> row = new ArrayList<>(List.of(v));
            for (int l = 0; l < levels; l++) {
                int level = l;
                Stats s = Stats.of(runs.stream().map(r -> r.volumeBits().get(level)).toList());
                row.add(s.isEmpty() ? "-" : s.meanSd(4));
            }
            t.row(row.toArray(String[]::new));
        }
        d.table(t);
    }

    /** How linearly the latents separate the classes: each variant's linear probe against the one on pixels. */
    private void probe(Document d, RunInputs first) {
        Optional<ProbeOutcome> any = results.runs().stream().flatMap(r -> r.probe().stream()).findFirst();
        if (any.isEmpty()) {
            return;
        }
        ProbeOutcome o = any.get();
        d.heading(2, "Linear probe");
        int classes = first.classes();
        d.paragraph(String.format(Locale.ROOT, "Test accuracy (%%) of logistic regression (Tribuo) on each trained model's "
                        + "latents, with the Polyak-averaged (EMA) weights: every factored-out latent and the top one, "
                        + "standardised, fit on %,d training examples and scored on %,d test examples (the same examples "
                        + "in every run). Mean ± sample standard deviation over seeds, and the range. The pixels row fits "
                        + "the same classifier to the same examples' pixels: latents above it separate the classes more "
                        + "linearly than the images do.%s See docs/linear-probe.md.", o.trainExamples(), o.testExamples(),
                classes > 0 ? String.format(Locale.ROOT, " Chance: %.1f%% (%d classes).", 100.0 / classes, classes) : ""));
        Table t = new Table("lrrrrr", "variant", "runs", "test accuracy", "range", "training accuracy",
                "against pixels (points)");
        for (String v : results.variants()) {
            List<ProbeOutcome> probes = results.runsOf(v).stream().flatMap(r -> r.probe().stream()).toList();
            Stats test = percent(probes, p -> p.latents().test());
            t.row(v, Integer.toString(probes.size()), test.meanSd(2), test.range(2),
                    percent(probes, p -> p.latents().train()).meanSd(2),
                    percent(probes, p -> p.latents().test() - p.pixels().test()).meanSd(2));
        }
        t.row("*pixels*", "-", Stats.fixed(100 * o.pixels().test(), 2), "-", Stats.fixed(100 * o.pixels().train(), 2), "-");
        d.table(t);
    }

    private static Stats percent(List<ProbeOutcome> probes, ToDoubleFunction<ProbeOutcome> value) {
        return Stats.of(probes.stream().map(p -> 100 * value.applyAsDouble(p)).toList());
    }

    private static void referenceRow(Table t, String name, LikelihoodReference.Figure f, boolean stochastic) {
        List<String> row = new ArrayList<>(List.of(name, "closed form (train optimum " + Stats.fixed(f.trainBpd(), 4) + ")",
                "-", "-", Stats.fixed(f.testBpd(), 4), "-", "-", "-"));
        if (stochastic) {
            row.add("-");
        }
        t.row(row.toArray(String[]::new));
    }

    private void convergence(Document d, RunInputs first) {
        d.heading(2, "Convergence");
        if (Double.isNaN(target)) {
            d.paragraph("No target: the baseline (" + baseline + ") has no periodic test evaluation yet.");
            return;
        }
        int testImages = first.settings().evalTestExamples();
        d.paragraph(String.format(Locale.ROOT, "Target: %.4f test bits/dim, %s. Measured on the periodic evaluations "
                        + "(Polyak-averaged weights, the first %s test images, every %s steps). The budget to reach the "
                        + "target is interpolated linearly between the evaluations either side of it, in steps, images "
                        + "seen and training time (optimisation only, evaluations excluded): mean ± sample standard "
                        + "deviation over the seeds that reach it. Speed-up: the baseline's budget for the same seed "
                        + "divided by the variant's, mean ± sample standard deviation over seeds (min–max).",
                target, targetFromBaseline ? "the baseline " + baseline + "'s best (the highest of its seeds' lowest "
                        + "periodic test bits/dim, so every baseline seed reaches it)" : "set by report.target-bpd",
                testImages == 0 ? "all" : Integer.toString(testImages), first.settings().evalEverySteps()));
        Table t = new Table("lrrrrrr", "variant", "reached", "steps", "images seen", "training time",
                "speed-up (images)", "speed-up (time)");
        boolean bounded = false;
        for (Convergence.Row r : convergence) {
            if (r.neverReached()) {
                t.row(r.variant(), String.format(Locale.ROOT, "never (best %s)", Stats.fixed(r.best(), 4)),
                        "-", "-", "-", "-", "-");
                continue;
            }
            String mark = r.boundedByFirstEvaluation() ? "≤ " : "";
            bounded |= r.boundedByFirstEvaluation();
            t.row(r.variant() + (r.baseline() ? " (baseline)" : ""), r.reached() + "/" + r.runs(),
                    mark + r.steps().meanSd(0), mark + images(r.images()), mark + duration(r.seconds()),
                    r.baseline() ? "1 (baseline)" : speedup(r.speedupImages()),
                    r.baseline() ? "1 (baseline)" : speedup(r.speedupTime()));
        }
        d.table(t);
        if (bounded) {
            d.paragraph("≤: a seed was already at or below the target at its first evaluation, so its budget is that "
                    + "evaluation's (an upper bound).");
        }
        if (convergence.stream().anyMatch(r -> !r.neverReached() && r.reached() < r.runs())) {
            d.paragraph("A variant reached by fewer than all its seeds is summarised over the seeds that reached the target.");
        }
    }

    private void runs(Document d) {
        d.heading(2, "Runs");
        Table t = new Table("llrlrrrrrr", "run", "variant", "seed", "status", "steps", "images seen", "training time",
                "images/s", "best periodic test bits/dim", "final test bits/dim");
        for (RunResult r : results.runs()) {
            t.row(r.runName(), r.variant(), Long.toString(r.seed()), r.status().name(), Long.toString(r.steps()),
                    String.format(Locale.ROOT, "%,.0f", r.imagesSeen()), duration(r.trainSeconds()),
                    Stats.fixed(r.imagesPerSecond(), 0), Stats.fixed(r.bestTestBpd(), 4),
                    r.finalTestBpd().isPresent() ? Stats.fixed(r.finalTestBpd().getAsDouble(), 4) : "-");
        }
        d.table(t);
    }

    private static String images(Stats s) {
        return s.n() == 1 ? String.format(Locale.ROOT, "%,.0f", s.mean())
                : String.format(Locale.ROOT, "%,.0f ± %,.0f", s.mean(), s.sd());
    }

    private static String speedup(Stats s) {
        if (s.isEmpty()) {
            return "-";
        }
        return s.n() == 1 ? Stats.fixed(s.mean(), 2) + "x"
                : Stats.fixed(s.mean(), 2) + "x ± " + Stats.fixed(s.sd(), 2) + " (" + s.range(2) + ")";
    }

    /** A time in seconds (or mean ± sd) in seconds below two minutes, else in minutes. */
    static String duration(Stats s) {
        if (s.isEmpty()) {
            return "-";
        }
        boolean minutes = s.mean() >= 120;
        double k = minutes ? 1 / 60.0 : 1;
        String unit = minutes ? " min" : " s";
        int decimals = minutes ? 1 : 0;
        return s.n() == 1 ? Stats.fixed(s.mean() * k, decimals) + unit
                : Stats.fixed(s.mean() * k, decimals) + " ± " + Stats.fixed(s.sd() * k, decimals) + unit;
    }

    /** A time in seconds below two minutes, else in minutes ("43 s", "5.2 min"). */
    public static String duration(double seconds) {
        return duration(Stats.of(List.of(seconds)));
    }
}
