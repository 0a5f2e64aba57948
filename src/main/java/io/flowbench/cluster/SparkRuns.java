package io.flowbench.cluster;

import io.flowbench.run.ExperimentPlan;
import io.flowbench.run.Progress;
import io.flowbench.run.RunDispatch;
import io.flowbench.run.RunKeys;
import io.flowbench.run.RunOutcome;
import io.flowbench.run.RunPlan;
import io.flowbench.run.StopRequest;
import io.flowbench.tracking.MlflowNames;
import io.flowbench.tracking.MetricPoint;
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
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.spark.api.java.JavaFutureAction;

/**
 * The runs as tasks of a Spark application, one Spark job per run (so a run Spark gives up on fails alone),
 * all submitted at once and scheduled by Spark on the executors' free cores. The parent run is on the tracking
 * server before any task starts, and every task's run is there, complete, when its task ends: the driver's
 * report reads them from the server.
 * <p>
 * A stop request cancels the jobs: a task training sees its cancellation as its own stop request, ends its run
 * KILLED at its next step (checkpointed) and sends it. The driver waits for the tasks to end (at most
 * {@link #STOP_WAIT}, within the stop's grace period), then ends KILLED on the server any run still RUNNING there
 * (its executor was lost, or too slow), so no run is left RUNNING; the histories stay as sent. With storage all
 * workers share ({@code checkpoint.dir}), the next invocation of the experiment continues the stopped one's runs.
 */
final class SparkRuns implements RunDispatch {
    private static final Duration SEND_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_WAIT = Duration.ofSeconds(40);

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
        Map<String, String> continued = sharedDir.isBlank() ? Map.of() : continueStopped(plan, parentRunId);
        RunningTasks running = RunningTasks.on(cluster.context());
        List<RunTask> tasks = new ArrayList<>();
        List<JavaFutureAction<List<TaskResult>>> jobs = new ArrayList<>();
        for (RunPlan run : plan.runs()) {
            String runId = continued.getOrDefault(run.runName(), UUID.randomUUID().toString().replace("-", ""));
            RunTask task = new RunTask(shipped, run, trackingUri, runId, parent, tags, sharedDir);
            tasks.add(task);
            cluster.context().setJobDescription(run.runName());
            jobs.add(cluster.context().parallelize(List.of(task), 1).map(RunTask::call).collectAsync());
        }
        progress.message(String.format("%d runs submitted to %s", tasks.size(), cluster.master()));
        try {
            List<RunOutcome> outcomes = new ArrayList<>();
            for (int i = 0; i < tasks.size(); i++) {
                RunOutcome outcome = await(jobs.get(i), tasks.get(i), plan.runs().get(i), false);
                if (outcome == null) {
                    outcomes.addAll(stopped(plan, tasks, jobs, running, i));
                    break;
                }
                outcomes.add(outcome);
            }
            return outcomes;
        } finally {
            running.close();
        }
    }

    /**
     * The runs of this experiment's last invocation stopped by a signal (its parent KILLED with
     * {@link RunKeys.Tag#STOPPED}, not continued yet), by run name, to be continued under {@code parentRunId}: their
     * stores are on the shared storage, so each task resumes its run from its last checkpoint (a FINISHED one is
     * taken as it is). The runs FAILED there, and those it never started, are trained anew.
     */
    private Map<String, String> continueStopped(ExperimentPlan plan, String parentRunId) {
        TrackingStore server = tracker.server().orElseThrow();
        String experimentId = server.experimentByName(MlflowNames.experimentName(plan.experiment().name())).orElseThrow().id();
        List<RunRecord> runs = server.runs(experimentId); // latest first
        Optional<RunRecord> stopped = runs.stream()
                .filter(r -> r.parentRunId().isEmpty() && r.status() == RunStatus.KILLED)
                .filter(r -> r.tags().containsKey(RunKeys.Tag.STOPPED) && !r.tags().containsKey(RunKeys.Tag.CONTINUED_BY))
                .findFirst();
        if (stopped.isEmpty()) {
            return Map.of();
        }
        Set<String> planned = plan.runs().stream().map(RunPlan::runName).collect(Collectors.toSet());
        Map<String, String> continued = new LinkedHashMap<>();
        runs.stream().filter(r -> r.parentRunId().filter(stopped.get().runId()::equals).isPresent())
                .filter(r -> r.status() == RunStatus.KILLED || r.status() == RunStatus.FINISHED)
                .filter(r -> planned.contains(r.runName()) && r.tags().containsKey(MlflowTags.LOCAL_RUN_ID))
                .forEach(r -> continued.putIfAbsent(r.runName(), r.tags().get(MlflowTags.LOCAL_RUN_ID)));
        server.logBatch(stopped.get().runId(), List.of(), Map.of(), Map.of(RunKeys.Tag.CONTINUED_BY, parentRunId));
        progress.message(String.format("continuing the runs of the stopped invocation (parent run %s on the server) from"
                + " their last checkpoints: %s", stopped.get().runId(), continued.isEmpty() ? "none" : String.join(", ", continued.keySet())));
        return continued;
    }

    /** The run's outcome; null when a stop was requested first, unless {@code stopping} already. */
    private RunOutcome await(JavaFutureAction<List<TaskResult>> job, RunTask task, RunPlan run, boolean stopping) {
        while (true) {
            if (stop.requested() && !stopping) {
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

    /**
     * Cancels the jobs still running and waits for their tasks to end their runs; returns the outcomes of the runs
     * from {@code first} on that started (a cancelled one as the server has it, ended KILLED there if it is still
     * RUNNING), in plan order.
     */
    private List<RunOutcome> stopped(ExperimentPlan plan, List<RunTask> tasks,
                                     List<JavaFutureAction<List<TaskResult>>> jobs, RunningTasks running, int first) {
        List<Integer> cancelled = new ArrayList<>();
        for (int i = first; i < jobs.size(); i++) {
            if (!jobs.get(i).isDone()) {
                jobs.get(i).cancel(true);
                cancelled.add(i);
            }
        }
        progress.message(String.format("stopping: %d Spark jobs cancelled; waiting at most %d s for their runs to end",
                cancelled.size(), STOP_WAIT.toSeconds()));
        if (!running.awaitNone(STOP_WAIT)) {
            progress.message("stopping: tasks still running after " + STOP_WAIT.toSeconds() + " s; their runs are "
                    + "ended KILLED on the tracking server as they are there");
        }
        TrackingStore server = tracker.server().orElseThrow();
        String experimentId = server.experimentByName(MlflowNames.experimentName(plan.experiment().name()))
                .orElseThrow().id();
        List<RunOutcome> outcomes = new ArrayList<>();
        for (int i = first; i < jobs.size(); i++) {
            RunPlan run = plan.runs().get(i);
            RunTask task = tasks.get(i);
            if (cancelled.contains(i)) {
                server.findRunByTag(experimentId, MlflowTags.LOCAL_RUN_ID, task.runId())
                        .map(r -> endedOnServer(server, r, run, task.runId()))
                        .ifPresent(outcomes::add);
            } else {
                outcomes.add(await(jobs.get(i), task, run, true));
            }
        }
        return outcomes;
    }

    /** A cancelled task's run as the server has it, ended KILLED there when its task could not end it. */
    private static RunOutcome endedOnServer(TrackingStore server, RunRecord r, RunPlan run, String localRunId) {
        long steps = Optional.ofNullable(r.tags().get(RunKeys.Tag.KILLED_AT_STEP)).map(Long::parseLong)
                .orElseGet(() -> server.metricHistory(r.runId(), RunKeys.Metric.TRAIN_BPD).stream()
                        .mapToLong(MetricPoint::step).max().orElse(0));
        RunStatus status = r.status();
        if (status == RunStatus.RUNNING) {
            server.logBatch(r.runId(), List.of(), Map.of(), Map.of(RunKeys.Tag.KILLED_AT_STEP, Long.toString(steps)));
            server.updateRun(r.runId(), RunStatus.KILLED, System.currentTimeMillis());
            status = RunStatus.KILLED;
        }
        long images = steps * run.settings().batchSize();
        MetricPoint trained = r.latestMetrics().get(RunKeys.Metric.TRAIN_TIME_SEC);
        return new RunOutcome(run, localRunId, status, steps, images, trained == null ? Double.NaN : trained.value(), Double.NaN,
                status == RunStatus.KILLED ? "stopped by a signal on the driver at step " + steps : null);
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
