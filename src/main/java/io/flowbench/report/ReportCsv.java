package io.flowbench.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/** The report's tables as CSV (RFC 4180), numbers unformatted and unrounded: one file per table, for analysis. */
final class ReportCsv {
    private ReportCsv() {
    }

    static String likelihood(ExperimentResults results) {
        Csv csv = new Csv("variant", "model", "parameters", "runs", "finished", "final_test_bpd_mean",
                "final_test_bpd_sd", "final_test_bpd_min", "final_test_bpd_max", "images_per_sec_mean",
                "published_bpd", "published_source", "published_comparable");
        for (String v : results.variants()) {
            List<RunResult> runs = results.runsOf(v);
            Optional<RunInputs> inputs = results.inputsOf(v);
            Stats bpd = RunResult.finalTestBpd(runs);
            Stats ips = Stats.of(runs.stream().map(RunResult::imagesPerSecond).toList());
            Optional<PublishedResults.Row> published = inputs.flatMap(PublishedResults::forRun);
            csv.row(v, inputs.map(i -> i.model().step().describe()).orElse(""),
                    inputs.map(i -> (Object) i.parameterCount()).orElse(""), runs.size(),
                    runs.stream().filter(RunResult::finished).count(), bpd.mean(), bpd.sd(), bpd.min(), bpd.max(),
                    ips.mean(), published.map(PublishedResults.Row::bpd).orElse(Double.NaN),
                    published.map(PublishedResults.Row::source).orElse(""),
                    published.map(p -> PublishedResults.matches(inputs.orElseThrow(), p)).map(Object::toString).orElse(""));
        }
        return csv.text();
    }

    static String convergence(List<Convergence.Row> rows, double target) {
        Csv csv = new Csv("variant", "baseline", "target_bpd", "runs", "reached", "best_test_bpd",
                "steps_mean", "steps_sd", "images_mean", "images_sd", "train_sec_mean", "train_sec_sd",
                "speedup_images_mean", "speedup_images_sd", "speedup_images_min", "speedup_images_max",
                "speedup_time_mean", "speedup_time_sd", "speedup_time_min", "speedup_time_max",
                "upper_bound_at_first_evaluation");
        for (Convergence.Row r : rows) {
            csv.row(r.variant(), r.baseline(), target, r.runs(), r.reached(), r.best(), r.steps().mean(), r.steps().sd(),
                    r.images().mean(), r.images().sd(), r.seconds().mean(), r.seconds().sd(),
                    r.speedupImages().mean(), r.speedupImages().sd(), r.speedupImages().min(), r.speedupImages().max(),
                    r.speedupTime().mean(), r.speedupTime().sd(), r.speedupTime().min(), r.speedupTime().max(),
                    r.boundedByFirstEvaluation());
        }
        return csv.text();
    }

    static String runs(ExperimentResults results) {
        Csv csv = new Csv("run_id", "run", "variant", "seed", "status", "model_kind", "parameters", "steps",
                "images_seen", "train_time_sec", "images_per_sec", "best_test_bpd", "final_test_bpd",
                "probe_train_accuracy", "probe_test_accuracy", "probe_pixels_test_accuracy");
        for (RunResult r : results.runs()) {
            csv.row(r.runId(), r.runName(), r.variant(), r.seed(), r.status(),
                    r.inputs().map(i -> i.model().step().kind()).orElse(""),
                    r.inputs().map(i -> (Object) i.parameterCount()).orElse(""), r.steps(), r.imagesSeen(),
                    r.trainSeconds(), r.imagesPerSecond(), r.bestTestBpd(), r.finalTestBpd().orElse(Double.NaN),
                    r.probe().map(p -> p.latents().train()).orElse(Double.NaN),
                    r.probe().map(p -> p.latents().test()).orElse(Double.NaN),
                    r.probe().map(p -> p.pixels().test()).orElse(Double.NaN));
        }
        return csv.text();
    }

    static String curves(ExperimentResults results) {
        Csv csv = new Csv("run_id", "variant", "seed", "step", "images_seen", "train_time_sec", "test_bpd");
        for (RunResult r : results.runs()) {
            for (EvalPoint p : r.curve()) {
                csv.row(r.runId(), r.variant(), r.seed(), p.step(), p.imagesSeen(), p.trainSeconds(), p.testBpd());
            }
        }
        return csv.text();
    }

    /** Rows of values (RFC 4180: CRLF, text quoted when it needs to be): numbers as Java prints them, NaN empty. */
    static final class Csv {
        private final StringBuilder sb = new StringBuilder();
        private final CSVPrinter printer;

        Csv(String... header) {
            try {
                printer = new CSVPrinter(sb, CSVFormat.RFC4180);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            row((Object[]) header);
        }

        Csv row(Object... values) {
            try {
                printer.printRecord(Arrays.stream(values).map(Csv::cell));
            } catch (IOException e) {
                throw new UncheckedIOException(e); // a StringBuilder does not throw
            }
            return this;
        }

        private static Object cell(Object v) {
            if (v instanceof Double d) {
                if (!Double.isFinite(d)) {
                    return "";
                }
                return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString(d.longValue()) : Double.toString(d);
            }
            return v;
        }

        String text() {
            return sb.toString();
        }
    }
}
