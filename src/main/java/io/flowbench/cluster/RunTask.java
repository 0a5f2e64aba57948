package io.flowbench.cluster;

import com.google.inject.Injector;
import com.google.inject.util.Modules;
import io.flowbench.run.ExperimentPlan;
import io.flowbench.run.Progress;
import io.flowbench.run.RunExecutor;
import io.flowbench.run.RunKeys;
import io.flowbench.run.RunOutcome;
import io.flowbench.run.RunPlan;
import io.flowbench.run.RunLock;
import io.flowbench.run.RunRefusedException;
import io.flowbench.run.StopRequest;
import io.flowbench.run.TrainingModule;
import io.flowbench.tracking.LocalStore;
import io.flowbench.tracking.MlflowNames;
import io.flowbench.tracking.MetricPoint;
import io.flowbench.tracking.MlflowTags;
import io.flowbench.tracking.RunRecord;
import io.flowbench.tracking.RunStatus;
import io.flowbench.tracking.SyncReport;
import io.flowbench.tracking.Tracker;
import io.flowbench.tracking.TrackerOptions;
import io.flowbench.tracking.TrackingStore;
import io.flowbench.tracking.TrackingTarget;
import java.io.Serializable;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.spark.SparkFiles;
import org.apache.spark.TaskContext;

/**
 * One run of an experiment as a Spark task: what the driver sends (the shipped experiment, the run's variant
 * and seed, the ids it chose for the run and its parent) and what the executor does with it. The executor
 * records the run in a store of its own, mirrored to the experiment's tracking server, under the id the
 * driver chose, so every attempt of the task writes the same run on the server:
 * <ul>
 *   <li>with {@code experiment.checkpoint.dir} (storage all workers share), the store lives there and an attempt
 *       after an executor died resumes from the run's last checkpoint, logging what the store does not hold; so
 *       does a run of a stopped invocation that a later one continues, moved under the later one's parent;</li>
 *   <li>without it, the store is on the executor's disk: a later attempt starts in an empty store, copies the
 *       metric histories the server has, and trains the run from its first step, logging only the steps after
 *       those.</li>
 * </ul>
 * A run that fails on its own (a non-finite loss, an error) is an outcome (FAILED), not an exception, so Spark
 * does not attempt it again. A cancelled task (a stop on the driver) ends its run KILLED at its next step,
 * checkpointed, and sends it before it returns.
 */
final class RunTask implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final Duration SYNC_INTERVAL = Duration.ofSeconds(2);
    private static final Duration SEND_TIMEOUT = Duration.ofSeconds(60);

    private final ShippedExperiment experiment;
    private final String experimentName;
    private final String variant;
    private final long seed;
    private final String trackingUri;
    private final String runId;
    private final String parentRunId;
    private final String parentRunName;
    private final long parentStartTime;
    private final HashMap<String, String> tags;
    private final String sharedDir;

    RunTask(ShippedExperiment experiment, RunPlan run, String trackingUri, String runId, RunRecord parent,
            Map<String, String> tags, String sharedDir) {
        this.experiment = experiment;
        this.experimentName = run.experiment();
        this.variant = run.variant();
        this.seed = run.seed();
        this.trackingUri = trackingUri;
        this.runId = runId;
        this.parentRunId = parent.runId();
        this.parentRunName = parent.runName();
        this.parentStartTime = parent.startTime();
        this.tags = new HashMap<>(tags);
        this.sharedDir = sharedDir;
    }

    String runId() {
        return runId;
    }

    String variant() {
        return variant;
    }

    long seed() {
        return seed;
    }

    /** Trains the run on this executor; throws only when the run could not be trained or recorded at all. */
    TaskResult call() {
        Injector injector = ShippedExperiment.injector();
        ExperimentPlan plan = experiment.plan(injector);
        RunPlan run = plan.runs().stream().filter(r -> r.variant().equals(variant) && r.seed() == seed).findFirst()
                .orElseThrow(() -> new IllegalStateException("the shipped experiment has no run " + variant + "-seed" + seed));
        TrackingTarget target = new TrackingTarget(storeRoot(), Optional.of(URI.create(trackingUri)));
        // Sent often: what an executor has not sent when it dies is trained again (without shared storage).
        try (Tracker tracker = Tracker.open(target, TrackerOptions.defaults().withSyncInterval(SYNC_INTERVAL))) {
            String experimentId = tracker.experiment(experimentName);
            LocalStore local = tracker.localStore();
            if (!exists(local, experimentId, parentRunId)) {
                // A placeholder: the mirror finds the parent the driver made on the server by this id.
                local.createRun(experimentId, parentRunId, parentRunName, parentStartTime, Map.of());
            }
            // The task's cancellation (a stop on the driver) is the run's stop request: it ends KILLED, checkpointed.
            TaskContext task = TaskContext.get();
            StopRequest stop = StopRequest.when(() -> task != null && task.isInterrupted());
            Injector training = injector.createChildInjector(Modules.override(new TrainingModule()).with(binder -> {
                binder.bind(Tracker.class).toInstance(tracker);
                binder.bind(StopRequest.class).toInstance(stop);
            }));
            Progress progress = training.getInstance(Progress.class);
            if (exists(local, experimentId, runId)) {
                continuedUnder(tracker, local, run, progress);
            } else {
                tracker.startRun(experimentId, runId, run.runName(), RunExecutor.runTags(run, tags), parentRunId);
                long logged = copyServerHistories(tracker, local);
                if (logged > 0) {
                    progress.message(run.runName() + ": attempted again in a new store (no "
                            + "experiment.checkpoint.dir): trains from its first step, logging only after step " + logged
                            + ", the last the tracking server has");
                }
            }
            RunOutcome outcome;
            try {
                outcome = training.getInstance(RunExecutor.class).continueRun(run, local.run(runId));
            } catch (RunLock.Held e) {
                throw e; // an earlier attempt still trains it: Spark attempts this run again later
            } catch (RunRefusedException e) {
                // A stopped run continued with other settings: recorded as it was, failed here rather than attempted again.
                outcome = new RunOutcome(run, runId, RunStatus.FAILED, 0, 0, 0, Double.NaN, e.getMessage());
            }
            SyncReport sent = tracker.finish();
            return TaskResult.of(outcome, host(), sent.isComplete() ? null : sent.failures().toString());
        }
    }

    /**
     * A run of an invocation stopped earlier, continued by this one (its store on the shared storage): moved under
     * this invocation's parent, here and on the server.
     */
    private void continuedUnder(Tracker tracker, LocalStore local, RunPlan run, Progress progress) {
        RunRecord record = local.run(runId);
        if (record.parentRunId().filter(parentRunId::equals).isPresent()) {
            return; // an earlier attempt of this task
        }
        local.logBatch(runId, List.of(), Map.of(), Map.of(MlflowTags.PARENT_RUN_ID, parentRunId));
        tracker.sendNow(runId, SEND_TIMEOUT);
        progress.message(run.runName() + ": continues run " + runId + " (" + record.status() + " under parent run "
                + record.parentRunId().orElse("?") + ") from its last checkpoint");
    }

    /** The run's own store: on the shared storage when there is one, else in this executor's scratch space. */
    private Path storeRoot() {
        Path base = sharedDir.isBlank() ? Path.of(SparkFiles.getRootDirectory()) : Path.of(sharedDir);
        return base.resolve("flowbench-runs").resolve(runId);
    }

    /**
     * What an earlier attempt on another executor sent to the server, copied into this new store, so that the
     * run logs only later steps and the mirror, adopting the server's run, sends only those. Returns the last
     * training step the server has (0: none).
     */
    private long copyServerHistories(Tracker tracker, LocalStore local) {
        TrackingStore server = tracker.server().orElseThrow();
        Optional<RunRecord> there = server.experimentByName(MlflowNames.experimentName(experimentName))
                .flatMap(e -> server.findRunByTag(e.id(), MlflowTags.LOCAL_RUN_ID, runId));
        long last = 0;
        for (String key : there.map(r -> r.latestMetrics().keySet()).orElse(Set.of())) {
            List<MetricPoint> history = server.metricHistory(there.get().runId(), key);
            local.logBatch(runId, history, Map.of(), Map.of());
            if (key.equals(RunKeys.Metric.TRAIN_BPD)) {
                last = history.stream().mapToLong(MetricPoint::step).max().orElse(0);
            }
        }
        return last;
    }

    private static boolean exists(LocalStore store, String experimentId, String id) {
        return store.runs(experimentId).stream().anyMatch(r -> r.runId().equals(id));
    }

    static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "unknown host";
        }
    }
}
