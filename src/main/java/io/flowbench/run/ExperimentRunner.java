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
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

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
        RunLock lock = RunLock.acquire(tracker.localStore().runDir(parent.id()), parent.id());
        progress.message(String.format("experiment %s: %d runs, tracked in %s (experiment %s, parent run %s)",
                plan.experiment().name(), plan.runs().size(), tracker.localStore().describe(), experimentId, parent.id()));
        return underParent(plan, parent, lock, () -> dispatch.trainAll(plan, experimentId, parent.id(), tags));
    }

    /**
     * Trains runs under an open parent and ends it: with the report, or KILLED on a stop request. The parent is
     * locked while its invocation lasts, so a resume elsewhere does not close it under it; an error escaping here
     * ends it FAILED rather than leaving it RUNNING.
     */
    private List<RunOutcome> underParent(ExperimentPlan plan, TrackedRun parent, RunLock lock,
                                         Supplier<List<RunOutcome>> train) {
        stop.opened(parent);
        List<RunOutcome> outcomes;
        try (lock; TrackedRun ended = parent) {
            outcomes = train.get();
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
     * Continues a run of this experiment, found by its run id: a run from its last checkpoint, then the report on
     * its parent is refreshed so that it counts the run as it ends now (empty when the run had nothing left to do:
     * nothing is changed then); an experiment's parent run by {@link #continueExperiment}. Refused, before
     * anything recorded changes, for a run of another experiment or one this experiment no longer has.
     */
    public List<RunOutcome> resume(ExperimentPlan plan, String runId) {
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
        if (isParent(record)) {
            return continueExperiment(plan, record);
        }
        RunPlan run = planned(plan, record);
        refuseFactorOutSwitch(record.params(), run, runId);
        Optional<RunOutcome> outcome = executor.resume(run, record);
        if (outcome.isEmpty()) {
            return List.of();
        }
        progress.message(summary(List.of(outcome.get())));
        if (stop.requested()) {
            throw new RunsStopped(stop, null, List.of(outcome.get()), List.of(run));
        }
        record.parentRunId().ifPresent(parentId -> closeAfterResume(plan, parentId));
        return List.of(outcome.get());
    }

    /** An experiment's parent run: not nested, and not one run of a variant. */
    private static boolean isParent(RunRecord record) {
        return record.parentRunId().isEmpty() && !record.tags().containsKey(RunKeys.Tag.VARIANT);
    }

    /** The planned run a recorded one is, by variant and seed; refused when the experiment no longer has it. */
    private static RunPlan planned(ExperimentPlan plan, RunRecord record) {
        return plan.runs().stream()
                .filter(r -> isRecordOf(r, record))
                .findFirst()
                .orElseThrow(() -> new RunRefusedException("run " + record.runId() + " (variant "
                        + record.tags().get(RunKeys.Tag.VARIANT) + ", seed " + record.tags().get(RunKeys.Tag.SEED)
                        + ") is not a run of " + plan.experiment().name() + " as configured now"));
    }

    /** Whether a recorded run is this planned one: the same variant and seed. */
    private static boolean isRecordOf(RunPlan run, RunRecord record) {
        return run.variant().equals(record.tags().get(RunKeys.Tag.VARIANT))
                && Long.toString(run.seed()).equals(record.tags().get(RunKeys.Tag.SEED));
    }

    /**
     * Reports and ends the parent of a resumed run once every planned run has been started under it; until then
     * the parent stays as it is, and continuing it as a whole trains the rest.
     */
    private void closeAfterResume(ExperimentPlan plan, String parentId) {
        RunLock lock;
        try {
            lock = RunLock.acquire(tracker.localStore().runDir(parentId), parentId);
        } catch (RunLock.Held held) {
            progress.message("parent run " + parentId + " is still open in its invocation (" + held.holder()
                    + "), which reports when its runs end");
            return;
        }
        try (lock) {
            List<RunRecord> children = childRecords(parentId);
            List<String> missing = plan.runs().stream()
                    .filter(r -> children.stream().noneMatch(c -> isRecordOf(r, c)))
                    .map(RunPlan::runName).toList();
            if (!missing.isEmpty()) {
                progress.message("parent run " + parentId + " has not started " + String.join(", ", missing)
                        + " yet: continue the whole experiment with --resume " + parentId);
                return;
            }
            try (TrackedRun parent = tracker.resumeRun(parentId)) {
                closeParent(parent, plan.experiment().name(), plan.experiment().resolved(),
                        children.stream().filter(r -> r.status() != RunStatus.FINISHED).count());
            }
        }
    }

    /**
     * Continues an experiment's parent run (one whose process was stopped or killed, or whose budget was raised):
     * each planned run it has is continued ({@link RunExecutor#continueRun}: from its last checkpoint, a finished
     * one only when its budget was raised), each it has not is started under it, one after another; then the
     * parent is reported and ended as a first invocation would. Refused, before anything changes, when the parent
     * is open elsewhere, has runs this experiment no longer plans, or a run cannot resume with these settings.
     */
    public List<RunOutcome> continueExperiment(ExperimentPlan plan, RunRecord parentRecord) {
        String parentId = parentRecord.runId();
        RunLock lock = RunLock.acquire(tracker.localStore().runDir(parentId), parentId);
        Map<RunPlan, RunRecord> children;
        try {
            children = children(plan, parentId);
            children.forEach((run, record) -> {
                refuseFactorOutSwitch(record.params(), run, record.runId());
                executor.checkResumable(run, record);
            });
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
        Map<String, String> tags = Map.of(MlflowTags.GIT_COMMIT, GitInfo.commit());
        long finished = children.values().stream().filter(r -> r.status() == RunStatus.FINISHED).count();
        progress.message(String.format("experiment %s: continuing parent run %s: %d of %d runs finished, %d to "
                        + "continue, %d to start", plan.experiment().name(), parentId, finished, plan.runs().size(),
                children.size() - finished, plan.runs().size() - children.size()));
        TrackedRun parent = tracker.resumeRun(parentId);
        return underParent(plan, parent, lock, () -> {
            List<RunOutcome> outcomes = new ArrayList<>();
            for (RunPlan run : plan.runs()) {
                if (stop.requested()) {
                    break;
                }
                RunRecord record = children.get(run);
                outcomes.add(record == null ? executor.start(run, parentRecord.experimentId(), parentId, tags)
                        : executor.continueRun(run, record));
            }
            return outcomes;
        });
    }

    /** The runs recorded under a parent, by the planned run each is; refused for one the plan no longer has. */
    private Map<RunPlan, RunRecord> children(ExperimentPlan plan, String parentId) {
        Map<RunPlan, RunRecord> children = new LinkedHashMap<>();
        childRecords(parentId).forEach(r -> children.put(planned(plan, r), r)); // a run started again replaces the earlier one
        return children;
    }

    /** The runs recorded under a parent, oldest first. */
    private List<RunRecord> childRecords(String parentId) {
        return tracker.localStore().runs(tracker.localStore().run(parentId).experimentId()).stream()
                .filter(r -> r.parentRunId().filter(parentId::equals).isPresent())
                .sorted(Comparator.comparingLong(RunRecord::startTime))
                .toList();
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
