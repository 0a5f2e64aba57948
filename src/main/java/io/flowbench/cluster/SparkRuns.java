package io.flowbench.cluster;

import io.flowbench.run.ExperimentPlan;
import io.flowbench.run.Progress;
import io.flowbench.run.RunDispatch;
import io.flowbench.run.RunKeys;
import io.flowbench.run.RunOutcome;
import io.flowbench.run.RunPlan;
import io.flowbench.run.StopRequest;
import io.flowbench.tracking.MlflowNames;
import io.flowbench.tracking.MlflowTags;
import io.flowbench.tracking.RunRecord;
import io.flowbench.tracking.RunStatus;
import io.flowbench.tracking.SyncReport;
import io.flowbench.tracking.Tracker;
import io.flowbench.tracking.TrackingException;
import io.flowbench.tracking.TrackingStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.spark.api.java.JavaFutureAction;

/**
 * The runs as tasks of a Spark application, one Spark job per run (so a run Spark gives up on fails alone),
 * all submitted at once and scheduled by Spark on the executors' free cores. The parent run is on the tracking
 * server before any task starts, and every task's run is there, complete, when its task ends: the driver's
 * report reads them from the server. A stop request cancels the tasks still running.
 */
final class SparkRuns implements RunDispatch {
    private static final Duration SEND_TIMEOUT = Duration.ofSeconds(60);

    private final SparkCluster cluster;
    private final Tracker tracker;
    private final Progress progress;
    private final StopRequest stop;
    private final String sharedDir;

    SparkRuns(SparkCluster cluster, Tracker tracker, Progress progress, StopRequest stop, String sharedDir) {
        this.cluster = cluster;
        this.tracker = tracker;
        this.progress = progress;
        this.stop = stop;
        this.sharedDir = sharedDir;
    }

    @Override
    public List<RunOutcome> trainAll(ExperimentPlan plan, String experimentId, String parentRunId, Map<String, String> tags) {
        SyncReport sent = tracker.sendNow(parentRunId, SEND_TIMEOUT);
        if (!sent.isComplete()) {
            throw new TrackingException("cannot record the parent run on the tracking server: " + sent.failures());
        }
        RunRecord parent = tracker.localStore().run(parentRunId);
        ShippedExperiment shipped = new ShippedExperiment(plan);
        String trackingUri = SparkCluster.trackingServer(plan.trackingUri()).toString();
        List<RunTask> tasks = new ArrayList<>();
        List<JavaFutureAction<List<TaskResult>>> jobs = new ArrayList<>();
        for (RunPlan run : plan.runs()) {
            RunTask task = new RunTask(shipped, run, trackingUri, UUID.randomUUID().toString().replace("-", ""), parent,
                    tags, sharedDir);
            tasks.add(task);
            cluster.context().setJobDescription(run.runName());
            jobs.add(cluster.context().parallelize(List.of(task), 1).map(RunTask::call).collectAsync());
        }
        progress.message(String.format("%d runs submitted to %s", tasks.size(), cluster.master()));
        List<RunOutcome> outcomes = new ArrayList<>();
        for (int i = 0; i < tasks.size(); i++) {
            RunOutcome outcome = await(jobs.get(i), tasks.get(i), plan.runs().get(i));
            if (outcome == null) {
                jobs.forEach(j -> j.cancel(true));
                break;
            }
            outcomes.add(outcome);
        }
        return outcomes;
    }

    /** The run's outcome; null when a stop was requested first. */
    private RunOutcome await(JavaFutureAction<List<TaskResult>> job, RunTask task, RunPlan run) {
        while (true) {
            if (stop.requested()) {
                return null;
            }
            try {
                TaskResult result = job.get(1, TimeUnit.SECONDS).get(0);
                progress.message(run.runName() + ": " + result.status() + " on " + result.host());
                return result.outcome(run);
            } catch (TimeoutException e) {
                // still training
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            } catch (ExecutionException e) {
                return gaveUp(task, run, e.getCause());
            }
        }
    }

    /** Spark gave up on a run (every attempt lost its executor, say): FAILED, on the server too. */
    private RunOutcome gaveUp(RunTask task, RunPlan run, Throwable cause) {
        String why = "Spark gave up on the run: " + cause.getMessage();
        progress.message(run.runName() + ": FAILED: " + why);
        tracker.server().ifPresent(server -> markFailed(server, run, task, why));
        return new RunOutcome(run, task.runId(), RunStatus.FAILED, 0, 0, 0, Double.NaN, why);
    }

    private static void markFailed(TrackingStore server, RunPlan run, RunTask task, String why) {
        try {
            server.experimentByName(MlflowNames.experimentName(run.experiment()))
                    .flatMap(e -> server.findRunByTag(e.id(), MlflowTags.LOCAL_RUN_ID, task.runId()))
                    .ifPresent(r -> {
                        server.logBatch(r.runId(), List.of(), Map.of(), Map.of(RunKeys.Tag.FAILURE, why));
                        server.updateRun(r.runId(), RunStatus.FAILED, System.currentTimeMillis());
                    });
        } catch (RuntimeException e) {
            // the outcome says FAILED; the server keeps the last state the run sent
        }
    }
}
