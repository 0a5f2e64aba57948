package io.flowbench.cli;

import com.google.inject.Injector;
import io.flowbench.cluster.SparkExecutor;
import io.flowbench.config.Experiment;
import io.flowbench.report.ReportingModule;
import io.flowbench.run.DatasetPreparation;
import io.flowbench.run.ExperimentPlan;
import io.flowbench.run.ExperimentPlanner;
import io.flowbench.run.ExperimentRunner;
import io.flowbench.run.ParallelRuns;
import io.flowbench.run.RunOutcome;
import io.flowbench.run.RunPlan;
import io.flowbench.run.RunsStopped;
import io.flowbench.tracking.RunStatus;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.stream.Collectors;
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

    @Option(names = "--resume", paramLabel = "RUN_ID", description = "continue this run from its last checkpoint; "
            + "given an experiment's parent run, continue the experiment: every run it has not finished, and those "
            + "not started")
    String resumeRunId;

    @Option(names = "--executor", paramLabel = "local|spark", description = "where the runs train: local (this "
            + "process; the default) or spark (tasks of a Spark cluster, see docs/cluster.md)")
    String executor = "local";

    @Option(names = "--parallel", paramLabel = "N", description = "train at most N runs at once (local: in this "
            + "process, sharing its cores; spark: default as many as the cluster has cores for)")
    Integer parallel;

    @Option(names = "--master", paramLabel = "URL", description = "with --executor spark: the Spark master, "
            + "e.g. spark://HOST:7077 (default: spark-submit's)")
    String master;

    @Override
    public Integer call() throws IOException, InterruptedException {
        if (resumeRunId != null && !resumeRunId.matches(RUN_ID)) {
            throw new IllegalArgumentException("--resume '" + resumeRunId + "' is not a run id (32 hex digits, the "
                    + "folder name in mlruns/<experiment id>/ or the run's ID in the MLflow UI)");
        }
        boolean cluster = checkExecutor();
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
        Function<ExperimentRunner, Integer> work = runner -> {
            List<RunOutcome> outcomes = resumeRunId != null ? runner.resume(plan, resumeRunId) : runner.run(plan);
            return outcomes.stream().allMatch(o -> o.status() == RunStatus.FINISHED) ? 0 : 1;
        };
        try {
            if (!cluster) {
                return ExperimentTraining.train(base, plan, spec.commandLine().getErr(), parallel != null ? parallel : 1,
                        parallel != null ? ParallelRuns.module(parallel) : binder -> { }, new ReportingModule(), work);
            }
            SparkExecutor.refuseWithoutServer(plan); // the workers check the data, each with its own
            try (SparkExecutor spark = SparkExecutor.open(plan, master, parallel == null ? 0 : parallel,
                    spec.commandLine().getErr())) {
                return ExperimentTraining.train(base, plan, null, 0, spark.dispatch(), spark.reporting(), work);
            }
        } catch (RunsStopped stopped) {
            spec.commandLine().getOut().flush();
            spec.commandLine().getErr().println(spec.qualifiedName() + ": " + stopped.getMessage() + "; "
                    + (cluster ? SparkExecutor.howToGoOn(plan) : howToGoOn(stopped)));
            return stopped.exitStatus();
        }
    }

    /**
     * How to continue what a signal stopped in this process: the one run stopped when nothing else is left, else
     * the experiment's parent run, which --resume continues as a whole.
     */
    private String howToGoOn(RunsStopped stopped) {
        List<RunOutcome> resumable = stopped.resumable();
        if (resumable.size() == 1 && stopped.toTrainAgain().isEmpty()) {
            return "continue " + resumable.get(0).plan().runName() + " with: " + resumeCommand(resumable.get(0).runId());
        }
        if (stopped.parentRunId() == null) {
            return "the resumed run was stopped before its first step: run the same command again to continue it";
        }
        List<String> what = new ArrayList<>();
        if (!resumable.isEmpty()) {
            what.add("resumes " + resumable.stream().map(o -> o.plan().runName()).collect(Collectors.joining(", "))
                    + " from " + (resumable.size() == 1 ? "its checkpoint" : "their checkpoints"));
        }
        if (!stopped.toTrainAgain().isEmpty()) {
            what.add("trains " + stopped.toTrainAgain().stream().map(RunPlan::runName).collect(Collectors.joining(", ")));
        }
        return "continue the experiment with: " + resumeCommand(stopped.parentRunId()) + " (" + String.join(" and ", what) + ")";
    }

    /** Whether the runs go to a cluster; refuses combinations of options that mean nothing. */
    private boolean checkExecutor() {
        if (!executor.equals("local") && !executor.equals("spark")) {
            throw new IllegalArgumentException("--executor " + executor + ": use local (this process) or spark (a Spark "
                    + "cluster, with --master)");
        }
        boolean cluster = executor.equals("spark");
        if (master != null && !cluster) {
            throw new IllegalArgumentException("--master is for --executor spark; add that, or drop --master");
        }
        if (parallel != null && parallel < 1) {
            throw new IllegalArgumentException("--parallel " + parallel + ": give the number of runs to train at once (1 or more)");
        }
        if (resumeRunId != null && (cluster || parallel != null)) {
            throw new IllegalArgumentException("--resume continues runs in this process, one at a time: drop --executor and --parallel");
        }
        return cluster;
    }

    /** The command line that resumes a run with the settings of this invocation. */
    private String resumeCommand(String runId) {
        StringBuilder sb = new StringBuilder("bin/flowbench run ").append(experimentFile);
        overrides.forEach(o -> sb.append(" --set '").append(o.replace("'", "'\\''")).append('\''));
        return sb.append(" --resume ").append(runId).toString();
    }
}
