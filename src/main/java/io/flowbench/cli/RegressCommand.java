package io.flowbench.cli;

import com.google.inject.Injector;
import io.flowbench.config.Experiment;
import io.flowbench.config.ModelConfigs;
import io.flowbench.report.Baselines;
import io.flowbench.report.ComparisonReport;
import io.flowbench.report.ExperimentResults;
import io.flowbench.report.RegressionCheck;
import io.flowbench.run.ExperimentPlan;
import io.flowbench.run.ExperimentPlanner;
import io.flowbench.tracking.LocalStore;
import io.flowbench.util.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code flowbench regress}: trains the CI smoke experiment (through the experiment runner, as {@code run} does)
 * into a temporary tracking store and compares each variant's final test bits/dim with ci/baselines.conf; exits 1
 * on a regression beyond tolerance or a failed run. {@code --update} records the new scores in place and prints
 * the difference.
 */
@Command(name = "regress", mixinStandardHelpOptions = true,
        description = {"Run the CI smoke experiment (in a temporary tracking store, not ./mlruns) and compare each "
                + "variant's final test bits/dim with the recorded baselines. Exit 1 when a score is worse than "
                + "expected + tolerance or a run fails; --update records the new scores instead and shows the change."})
final class RegressCommand implements Callable<Integer> {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--smoke", paramLabel = "FILE", description = "the smoke experiment (default: ${DEFAULT-VALUE})")
    Path smoke = Path.of("ci/smoke.conf");

    @Option(names = "--baselines", paramLabel = "FILE", description = "the baselines (default: ${DEFAULT-VALUE})")
    Path baselines = Path.of("ci/baselines.conf");

    @Option(names = "--update", description = "rewrite the expected scores with this run's and print the difference")
    boolean update;

    @Option(names = "--keep-runs", description = "keep the temporary tracking store (its path is printed)")
    boolean keepRuns;

    @Override
    public Integer call() throws IOException, InterruptedException {
        Path smokeFile = inRepository(smoke);
        Path baselinesFile = inRepository(baselines);
        Experiment experiment = Experiment.load(smokeFile, List.of());
        String sha = Baselines.configSha256(experiment.resolved());
        Baselines recorded = null;
        if (Files.isRegularFile(baselinesFile)) {
            recorded = Baselines.read(baselinesFile);
        } else if (!update) {
            throw new IllegalArgumentException("no baselines at " + baselinesFile + "; record them with --update");
        }
        if (recorded != null && !recorded.configSha256().equals(sha)) {
            System.out.println("regress: note: " + smokeFile + " (or the defaults it inherits) changed since the baselines "
                    + "were recorded; if the scores moved for that reason, re-record them with --update.");
        }
        Injector base = Injection.base();
        ExperimentPlan smokePlan = Injection.get(base, ExperimentPlanner.class).plan(experiment);
        Path store = Files.createTempDirectory("flowbench-regress");
        try {
            // The smoke experiment as planned, tracked in the temporary store instead of its own.
            ExperimentPlan plan = new ExperimentPlan(smokePlan.experiment(), store.toString(), smokePlan.runs());
            long start = System.nanoTime();
            ExperimentTraining.train(base, plan, spec.commandLine().getErr(), runner -> runner.run(plan));
            double seconds = (System.nanoTime() - start) / 1e9;
            ExperimentResults results = ExperimentResults.load(new LocalStore(store),
                    Injection.get(base, ModelConfigs.class), experiment.name(), null);
            Map<String, RegressionCheck.Measured> measured = RegressionCheck.measured(results);
            List<RegressionCheck.Line> lines = RegressionCheck.check(
                    recorded == null ? Map.of() : recorded.variants(), measured);
            System.out.printf(Locale.ROOT, "%nregress: %s, %d runs in %s, final test bits/dim (mean over seeds) "
                    + "against %s:%n%n%s%n", smokeFile, results.runs().size(), ComparisonReport.duration(seconds), baselinesFile,
                    RegressionCheck.table(lines));
            if (update) {
                return record(baselinesFile, smoke.toString(), recorded, measured, sha);
            }
            boolean passed = RegressionCheck.passed(lines);
            System.out.println(passed ? "\nregress: PASSED" : "\nregress: FAILED");
            return passed ? 0 : 1;
        } finally {
            if (keepRuns) {
                System.out.println("regress: the runs are kept in " + store + " (bin/flowbench compare --experiment "
                        + experiment.name() + " --tracking-uri " + store + ")");
            } else {
                AtomicFiles.deleteTree(store);
            }
        }
    }

    private static int record(Path file, String smokePath, Baselines recorded, Map<String, RegressionCheck.Measured> measured, String sha)
            throws IOException {
        if (measured.values().stream().anyMatch(m -> m.finished() < m.runs() || m.finalTestBpd().isEmpty())) {
            System.out.println("\nregress: not updating " + file + ": a run did not finish");
            return 1;
        }
        Map<String, Double> expected = new LinkedHashMap<>();
        measured.forEach((v, m) -> expected.put(v, m.finalTestBpd().mean()));
        double newTolerance = recorded == null || recorded.variants().isEmpty() ? 0.05
                : recorded.variants().values().stream().mapToDouble(Baselines.Entry::tolerance).max().orElse(0.05);
        String before = recorded == null ? Baselines.template(smokePath) : Files.readString(file);
        String after = Baselines.updated(before, expected, sha, newTolerance);
        AtomicFiles.writeString(file, after);
        String diff = Baselines.diff(before, after);
        System.out.println("\nregress: updated " + file + (diff.isEmpty() ? " (no change)" : ":\n" + diff));
        if (recorded == null || !recorded.variants().keySet().containsAll(expected.keySet())) {
            System.out.printf(Locale.ROOT, "regress: new variants got tolerance %.4f; justify it by the measured seed-to-seed "
                    + "spread (see the comments in %s)%n", newTolerance, file);
        }
        return 0;
    }

    /** A relative path as given when it exists from here, else from the repository (bin/flowbench sets flowbench.home). */
    private static Path inRepository(Path p) {
        String home = System.getProperty("flowbench.home");
        if (p.isAbsolute() || Files.exists(p) || home == null) {
            return p;
        }
        return Path.of(home).resolve(p);
    }
}
