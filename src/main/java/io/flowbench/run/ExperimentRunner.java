package io.flowbench.run;

import com.google.inject.Inject;
import com.typesafe.config.Config;
import io.flowbench.flow.FactorOutPolicy;
import io.flowbench.tracking.ExperimentRecord;
import io.flowbench.tracking.MlflowNames;
import io.flowbench.tracking.MlflowTags;
import io.flowbench.tracking.RunRecord;
import io.flowbench.tracking.RunStatus;
import io.flowbench.tracking.TrackedRun;
import io.flowbench.tracking.Tracker;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Runs every run of an experiment plan under one parent run ({@link RunDispatch}: in turn, in parallel or on a
 * cluster), one failure never stopping the others, and ends with a summary of every run and the experiment's report (printed and logged on the parent).
 * A stop request (SIGINT, SIGTERM) ends the runs in progress and the parent KILLED, starting no further run, and
 * ends the invocation with {@link RunsStopped}.
 */
public final class ExperimentRunner {
    private final Tracker tracker;
    private final RunExecutor executor;
    private final RunDispatch dispatch;
    private final Progress progress;
    private final ExperimentReporter reporter;
    private final StopRequest stop;

    @Inject
    public ExperimentRunner(Tracker tracker, RunExecutor executor, RunDispatch dispatch, Progress progress,
                            ExperimentReporter reporter, StopRequest stop) {
        this.tracker = tracker;
        this.executor = executor;
        this.dispatch = dispatch;
        this.progress = progress;
        this.reporter = reporter;
        this.stop = stop;
    }

    public List<RunOutcome> run(ExperimentPlan plan) {
        String experimentId = tracker.experiment(plan.experiment().name());
        Map<String, String> tags = Map.of(MlflowTags.GIT_COMMIT, GitInfo.commit());
        TrackedRun parent = tracker.startRun(experimentId, plan.experiment().name(), tags, null);
        stop.opened(parent);
        progress.message(String.format("experiment %s: %d runs, tracked in %s (experiment %s, parent run %s)",
                plan.experiment().name(), plan.runs().size(), tracker.localStore().describe(), experimentId, parent.id()));
        List<RunOutcome> outcomes;
        // The parent is locked while its invocation lasts, so a resume elsewhere does not close it under it;
        // an error escaping here ends it FAILED rather than leaving it RUNNING.
        try (RunLock lock = RunLock.acquire(tracker.localStore().runDir(parent.id()), parent.id());
             TrackedRun ended = parent) {
            outcomes = dispatch.trainAll(plan, experimentId, parent.id(), tags);
            String summary = summary(outcomes);
            progress.message(summary);
            if (stop.requested()) {
                // The report is made when the stopped runs are resumed; stopping must be quick.
                parent.setTag(RunKeys.Tag.STOPPED, String.format("%d of %d runs started; %s", outcomes.size(),
                        plan.runs().size(), outcomes.stream().filter(o -> o.status() == RunStatus.KILLED)
                                .map(o -> o.plan().runName() + " (" + o.runId() + ") at step " + o.steps())
                                .findFirst().orElse("stopped between runs")));
                parent.end(RunStatus.KILLED);
                throw new RunsStopped(stop, parent.id(), outcomes, plan.runs());
            }
            parent.logText(summary, RunKeys.Artifact.SUMMARY);
            closeParent(parent, plan.experiment().name(), plan.experiment().resolved(),
                    outcomes.stream().filter(o -> o.status() != RunStatus.FINISHED).count());
        }
        return outcomes;
    }

    /** Reports the runs under the parent, notes how many did not finish, and ends it. */
    private void closeParent(TrackedRun parent, String experimentName, Config experiment, long failed) {
        progress.message(reporter.publish(parent, experimentName, experiment));
        parent.setTag(RunKeys.Tag.FAILED_RUNS, Long.toString(failed));
        parent.end(RunStatus.FINISHED);
    }

    /**
     * Continues one run of this experiment from its last checkpoint, found by its run id, then refreshes
     * the report on its parent run so that it counts the resumed run as it ends now. Empty when the run
     * had nothing left to do (nothing is changed then). Refused, before anything recorded changes, for a
     * run of another experiment or one this experiment no longer has.
     */
    public Optional<RunOutcome> resume(ExperimentPlan plan, String runId) {
        RunRecord record;
        try {
            record = tracker.localStore().run(runId);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("no run " + runId + " in " + tracker.localStore().describe()
                    + " (run ids are listed by the MLflow UI and in mlruns/<experiment>/)", e);
        }
        String experiment = tracker.localStore().experiment(record.experimentId()).map(ExperimentRecord::name).orElse("?");
        if (!experiment.equals(MlflowNames.experimentName(plan.experiment().name()))) {
            throw new RunRefusedException("run " + runId + " belongs to experiment '" + experiment + "', not to '"
                    + plan.experiment().name() + "': resume it with the experiment file it was started with");
        }
        String variant = record.tags().get(RunKeys.Tag.VARIANT);
        String seed = record.tags().get(RunKeys.Tag.SEED);
        RunPlan run = plan.runs().stream()
                .filter(r -> r.variant().equals(variant) && Long.toString(r.seed()).equals(seed))
                .findFirst()
                .orElseThrow(() -> new RunRefusedException("run " + runId + " (variant " + variant + ", seed "
                        + seed + ") is not a run of " + plan.experiment().name() + " as configured now"));
        refuseFactorOutSwitch(record.params(), run, runId);
        Optional<RunOutcome> outcome = executor.resume(run, record);
        if (outcome.isEmpty()) {
            return outcome;
        }
        progress.message(summary(List.of(outcome.get())));
        if (stop.requested()) {
            throw new RunsStopped(stop, null, List.of(outcome.get()), List.of(run));
        }
        if (record.parentRunId().isPresent()) {
            String parentId = record.parentRunId().get();
            RunLock lock;
            try {
                lock = RunLock.acquire(tracker.localStore().runDir(parentId), parentId);
            } catch (RunLock.Held held) {
                progress.message("parent run " + parentId + " is still open in its invocation (" + held.holder()
                        + "), which reports when its runs end");
                return outcome;
            }
            try (lock; TrackedRun parent = tracker.resumeRun(parentId)) {
                long failed = tracker.localStore().runs(parent.experimentId()).stream()
                        .filter(r -> r.parentRunId().filter(parentId::equals).isPresent())
                        .filter(r -> r.status() != RunStatus.FINISHED)
                        .count();
                closeParent(parent, plan.experiment().name(), plan.experiment().resolved(), failed);
            }
        }
        return outcome;
    }

    /**
     * The factor-out policy decides which dimensions the model's latents hold: a run resumed with
     * another policy, order, warm-up or after-warm-up choice would continue a different model. Runs
     * recorded before the keys existed used channels (and continue).
     */
    private static void refuseFactorOutSwitch(Map<String, String> params, RunPlan run, String runId) {
        FactorOutPolicy now = run.model().factorOutPolicy();
        String recorded = describe(params.getOrDefault("model.factor-out-policy", "channels"),
                params.get("model.factor-out-order"), params.get("model.factor-out-warmup-steps"),
                params.getOrDefault("model.factor-out-after-warmup", "continue"));
        String configured = describe(now.kind().configName(), now.order().name().toLowerCase(Locale.ROOT),
                Long.toString(now.warmupSteps()), now.afterWarmup().configName());
        if (!recorded.equals(configured)) {
            throw new IllegalArgumentException("run " + runId + " was trained with " + recorded
                    + ", the experiment now says " + configured + ": a resumed run keeps its factor-out mask and "
                    + "what followed its warm-up; restore model.factor-out-policy, -order, -warmup-steps and "
                    + "-after-warmup or start a new run");
        }
    }

    private static String describe(String policy, String order, String warmupSteps, String afterWarmup) {
        return "model.factor-out-policy = " + policy + (policy.equals("likelihood-contribution")
                ? " (order " + order + ", " + warmupSteps + " warm-up steps, then " + afterWarmup + ")" : "");
    }

    /** A Markdown table of every run's status, budget used and final test bits/dim. */
    public static String summary(List<RunOutcome> outcomes) {
        StringBuilder sb = new StringBuilder("| run | status | steps | images seen | training time | final test bits/dim |\n"
                + "|---|---|---:|---:|---:|---:|\n");
        for (RunOutcome o : outcomes) {
            sb.append(String.format("| %s | %s | %d | %d | %s | %s |%n", o.plan().runName(), o.status(), o.steps(),
                    o.imagesSeen(), Progress.duration(o.trainSeconds()),
                    Double.isNaN(o.finalTestBitsPerDim()) ? "-" : String.format("%.4f", o.finalTestBitsPerDim())));
        }
        outcomes.stream().filter(o -> o.failure() != null)
                .forEach(o -> sb.append(String.format("%n%s %s: %s", o.plan().runName(), o.status(), o.failure())));
        return sb.toString();
    }
}
