package io.flowbench.cli;

import io.flowbench.bench.BenchOptions;
import io.flowbench.bench.BenchReport;
import io.flowbench.bench.BenchResult;
import io.flowbench.bench.Benchmark;
import io.flowbench.bench.FmaPeak;
import io.flowbench.config.Experiment;
import io.flowbench.run.ExperimentPlan;
import io.flowbench.run.ExperimentPlanner;
import io.flowbench.run.RunPlan;
import io.flowbench.tracking.RunStatus;
import io.flowbench.tracking.TrackedRun;
import io.flowbench.tracking.Tracker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code flowbench bench}: training, evaluation and sampling speed, memory and achieved GFLOP/s of the
 * models of a preset (an experiment file under experiments/bench/) or of any experiment file.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure training/evaluation/sampling images/s, peak memory and GFLOP/s after warm-up.")
final class BenchCommand implements Callable<Integer> {
    static final String PRESET_DIR = "experiments/bench";
    static final String EXPERIMENT = "bench";

    @Option(names = "--preset", paramLabel = "NAME|FILE",
            description = "a preset (fmnist-small, fmnist-quickstart, cifar10-small, tiny: experiments/bench/NAME.conf) "
                    + "or an experiment file (default: ${DEFAULT-VALUE})")
    String preset = "fmnist-small";

    @Option(names = "--model", paramLabel = "glow|dlf|VARIANT",
            description = "measure only the variants of this model kind (or this variant name); default: all")
    String model;

    @Option(names = "--set", paramLabel = "PATH=VALUE", description = "override a configuration key, e.g. experiment.model.hidden=64")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--warmup-steps", description = "untimed training steps first (default: ${DEFAULT-VALUE})")
    int warmupSteps = 100;

    @Option(names = "--steps", description = "timed training steps (default: ${DEFAULT-VALUE})")
    int steps = 30;

    @Option(names = "--warmup-calls", description = "untimed evaluation and sampling calls first (default: ${DEFAULT-VALUE})")
    int warmupCalls = 10;

    @Option(names = "--calls", description = "timed evaluation and sampling calls (default: ${DEFAULT-VALUE})")
    int calls = 10;

    @Option(names = "--profile", description = "afterwards, time every op type per phase (SameDiff listener) and print the top ones")
    boolean profile;

    @Option(names = "--no-memory-guard", description = "do not collect garbage when native memory has grown 1.25x past "
            + "what the last collection left, as run does (peaks then follow the garbage collector's timing; for "
            + "measuring the guard's cost)")
    boolean noMemoryGuard;

    @Option(names = "--json", paramLabel = "FILE", description = "also write the results as JSON to FILE")
    Path json;

    @Option(names = "--track", description = "log each model's results as a run of MLflow experiment 'bench' (tracking.uri)")
    boolean track;

    @Override
    public Integer call() throws IOException {
        BenchOptions options = new BenchOptions(warmupSteps, steps, warmupCalls, calls, profile, !noMemoryGuard);
        Path file = presetFile(preset);
        ExperimentPlan plan = Injection.get(Injection.base(), ExperimentPlanner.class).plan(Experiment.load(file, overrides));
        String name = file.getFileName().toString().replaceFirst("\\.conf$", "");
        List<RunPlan> runs = plan.runs().stream()
                .filter(r -> r.seed() == plan.runs().get(0).seed())
                .filter(r -> model == null || model.equals(r.variant()) || model.equals(r.model().step().kind()))
                .toList();
        if (runs.isEmpty()) {
            throw new IllegalArgumentException("no variant of " + file + " is a '" + model + "' model");
        }
        List<BenchResult> results = new ArrayList<>();
        FmaPeak peak = FmaPeak.measure();
        for (RunPlan run : runs) {
            BenchResult r = Benchmark.run(name, run, options, peak, System.err::println);
            results.add(r);
            System.out.println(BenchReport.header(r));
        }
        System.out.print(BenchReport.table(results));
        String text = BenchReport.json(results);
        if (json != null) {
            Files.writeString(json, text);
        }
        if (track) {
            track(plan.trackingUri(), runs, results, text);
        }
        return 0;
    }

    /** A preset name (experiments/bench/NAME.conf under the flowbench home or here) or a file path. */
    static Path presetFile(String preset) {
        Path given = Path.of(preset);
        if (Files.isRegularFile(given)) {
            return given;
        }
        Path home = Path.of(System.getProperty("flowbench.home", "."));
        Path named = home.resolve(PRESET_DIR).resolve(preset + ".conf");
        if (Files.isRegularFile(named)) {
            return named;
        }
        throw new IllegalArgumentException("no preset '" + preset + "' (no file " + named + ") and no such experiment file");
    }

    private static void track(String uri, List<RunPlan> runs, List<BenchResult> results, String json) {
        try (Tracker tracker = Tracker.open(uri)) {
            String experiment = tracker.experiment(EXPERIMENT);
            for (int i = 0; i < results.size(); i++) {
                BenchResult r = results.get(i);
                Map<String, String> tags = new LinkedHashMap<>();
                tags.put("flowbench.preset", r.preset());
                tags.put("flowbench.model", r.spec().step().kind());
                tags.put("flowbench.backend", r.machine().backend());
                TrackedRun run = tracker.startRun(experiment, r.preset() + "-" + r.variant(), tags, null);
                run.logParams(runs.get(i).config().root().unwrapped());
                run.logParams(Map.of("bench", r.toMap().get("options"), "machine", r.toMap().get("machine")));
                run.logMetrics(r.metrics(), 0);
                run.logText(json, "bench/bench.json");
                run.end(RunStatus.FINISHED);
                System.out.println("tracked: run " + run.id() + " in experiment '" + EXPERIMENT + "'");
            }
        }
    }
}
