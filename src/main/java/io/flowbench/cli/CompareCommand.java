package io.flowbench.cli;

import io.flowbench.config.ModelConfigs;
import io.flowbench.report.ComparisonReport;
import io.flowbench.report.ExperimentResults;
import io.flowbench.report.ReportSettings;
import io.flowbench.tracking.LocalStore;
import io.flowbench.tracking.ServerStore;
import io.flowbench.tracking.TrackerOptions;
import io.flowbench.tracking.TrackingStore;
import io.flowbench.tracking.TrackingTarget;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code flowbench compare}: rebuilds an experiment's comparison report from the tracking store alone. */
@Command(name = "compare", mixinStandardHelpOptions = true,
        description = {"Rebuild the comparison report of an experiment (likelihood, convergence speed, runs, learning "
                + "curves) from the tracking store alone: the local ./mlruns or an MLflow server, so it works for runs "
                + "made on other machines. Writes Markdown, HTML, CSV and PNG files and prints the Markdown."})
final class CompareCommand implements Callable<Integer> {

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--experiment", required = true, paramLabel = "NAME", description = "the experiment's name")
    String experiment;

    @Option(names = "--tracking-uri", paramLabel = "URI",
            description = "a local store (path or file: URI; default ./mlruns) or an MLflow server, http(s)://host:port")
    String trackingUri = "";

    @Option(names = "--parent", paramLabel = "RUN_ID",
            description = "the parent run of the invocation to report (default: the newest with runs)")
    String parentRunId;

    @Option(names = "--out", paramLabel = "DIR", description = "where the files go (default: reports/<experiment>/)")
    Path out;

    @Option(names = "--baseline", paramLabel = "VARIANT",
            description = "the variant compared against (default: the experiment's report.baseline)")
    String baseline;

    @Option(names = "--target-bpd", paramLabel = "BPD",
            description = "the convergence target in test bits/dim (default: the experiment's report.target-bpd; "
                    + "0: the baseline's best)")
    Double targetBpd;

    @Override
    public Integer call() {
        TrackingTarget target = TrackingTarget.parse(trackingUri);
        try (TrackingStore store = target.server().isPresent()
                ? ServerStore.connect(target.server().get(), TrackerOptions.defaults().connectTimeout())
                : new LocalStore(target.localStore())) {
            ExperimentResults results = ExperimentResults.load(store, Injection.get(Injection.base(), ModelConfigs.class),
                    experiment, parentRunId);
            ReportSettings settings = ReportSettings.fromParams(results.parent().params()).with(baseline, targetBpd);
            ComparisonReport report = ComparisonReport.of(results, settings);
            Path dir = out != null ? out : Path.of("reports", experiment.replaceAll("[^A-Za-z0-9._-]", "_"));
            List<Path> files = report.writeTo(dir);
            spec.commandLine().getOut().println(report.markdown());
            spec.commandLine().getOut().println("Written to " + dir.toAbsolutePath().normalize() + ": " + String.join(", ",
                    files.stream().map(f -> f.getFileName().toString()).toList()));
            return 0;
        }
    }
}
