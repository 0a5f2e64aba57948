package io.flowbench.cli;

import com.google.inject.Injector;
import io.flowbench.config.Experiment;
import io.flowbench.run.DatasetPreparation;
import io.flowbench.run.ExperimentPlan;
import io.flowbench.run.ExperimentPlanner;
import io.flowbench.run.RunOutcome;
import io.flowbench.run.RunPlan;
import io.flowbench.tracking.RunStatus;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code flowbench run}: trains every run (variants x seeds) of an experiment, tracked in MLflow. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Train the runs (variants x seeds) of an experiment and track them in MLflow.")
final class RunCommand implements Callable<Integer> {
    /** MLflow run ids as the local store writes them: a UUID's 32 hex digits. */
    private static final String RUN_ID = "[0-9a-f]{32}";

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "EXPERIMENT", description = "experiment file (HOCON)")
    Path experimentFile;

    @Option(names = "--set", paramLabel = "PATH=VALUE", description = "override a configuration key")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--dry-run", description = "print the expanded runs and their resolved configuration, train nothing")
    boolean dryRun;

    @Option(names = "--resume", paramLabel = "RUN_ID", description = "continue this run from its last checkpoint")
    String resumeRunId;

    @Override
    public Integer call() throws IOException, InterruptedException {
        if (resumeRunId != null && !resumeRunId.matches(RUN_ID)) {
            throw new IllegalArgumentException("--resume '" + resumeRunId + "' is not a run id (32 hex digits, the "
                    + "folder name in mlruns/<experiment id>/ or the run's ID in the MLflow UI)");
        }
        PrintWriter out = spec.commandLine().getOut();
        Injector base = Injection.base();
        ExperimentPlan plan = Injection.get(base, ExperimentPlanner.class).plan(Experiment.load(experimentFile, overrides));
        if (dryRun) {
            Injection.get(base, DatasetPreparation.class).check(plan, out);
            for (RunPlan run : plan.runs()) {
                out.printf("# run %s: %s, %s%n%s%n", run.runName(), run.model().step().describe(),
                        run.model().input(), ExperimentPlan.render(run));
            }
            out.printf("%d runs; nothing trained (--dry-run)%n", plan.runs().size());
            return 0;
        }
        // The stopped runs are told while the stop hook still holds the shutdown, so the lines are not lost.
        return ExperimentTraining.train(base, plan, spec.commandLine().getErr(), runner -> {
            List<RunOutcome> outcomes = resumeRunId != null ? runner.resume(plan, resumeRunId).stream().toList()
                    : runner.run(plan);
            outcomes.stream().filter(o -> o.status() == RunStatus.KILLED).forEach(o -> System.out.println(o.steps() > 0
                    ? o.plan().runName() + " was stopped at step " + o.steps() + "; continue it with: " + resumeCommand(o.runId())
                    : o.plan().runName() + " was stopped before its first step; run the experiment again to train it"));
            return outcomes.stream().allMatch(o -> o.status() == RunStatus.FINISHED) ? 0 : 1;
        });
    }

    /** The command line that resumes a run with the settings of this invocation. */
    private String resumeCommand(String runId) {
        StringBuilder sb = new StringBuilder("bin/flowbench run ").append(experimentFile);
        overrides.forEach(o -> sb.append(" --set '").append(o.replace("'", "'\\''")).append('\''));
        return sb.append(" --resume ").append(runId).toString();
    }
}
