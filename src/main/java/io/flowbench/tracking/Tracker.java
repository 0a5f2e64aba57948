package io.flowbench.tracking;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the trainer calls to record experiments in MLflow. Every call writes the local store ({@link LocalStore},
 * ./mlruns in MLflow's file-store layout: the record that is always complete); when {@code tracking.uri} names
 * an MLflow server, runs are also mirrored there in the background ({@link ServerMirror}), so a server that
 * fails mid-run never stops or slows training, and what it missed is sent when it is back or by
 * {@code bin/flowbench sync}. A server unreachable when the tracker opens is an error before any work.
 *
 * <pre>{@code
 * try (Tracker tracker = Tracker.open(config.getString("tracking.uri"))) {
 *     String exp = tracker.experiment("glow-vs-dlf");
 *     TrackedRun parent = tracker.startRun(exp, "quickstart", Map.of(), null);
 *     TrackedRun run = tracker.startRun(exp, "dlf-seed1", Map.of("model", "dlf"), parent.id());
 *     run.logParams(flatConfig);
 *     run.logMetric("train_bpd", 3.41, step);
 *     run.logArtifact(Path.of("samples.png"), "samples");
 *     run.end(RunStatus.FINISHED);
 *     parent.end(RunStatus.FINISHED);
 * } // close(): last send to the server; logs what could not be sent
 * }</pre>
 */
public final class Tracker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Tracker.class);

    private final LocalStore local;
    private final Syncer syncer;
    private final ServerMirror mirror;
    private final ServerStore server;
    private final TrackerOptions options;
    private SyncReport closeReport;

    private Tracker(LocalStore local, ServerStore server, TrackerOptions options) {
        this.local = local;
        this.server = server;
        this.options = options;
        this.syncer = server == null ? null : new Syncer(local, server);
        this.mirror = syncer == null ? null : new ServerMirror(syncer, options.syncInterval());
    }

    /** Opens tracking for a {@code tracking.uri} value (see {@link TrackingTarget#parse}) with default timing. */
    public static Tracker open(String trackingUri) {
        return open(TrackingTarget.parse(trackingUri), TrackerOptions.defaults());
    }

    /**
     * Opens the local store and, for a server target, connects to the server and checks it answers (a
     * {@link TrackingException} saying what to fix when it does not).
     */
    public static Tracker open(TrackingTarget target, TrackerOptions options) {
        LocalStore local = new LocalStore(target.localStore());
        if (target.server().isEmpty()) {
            return new Tracker(local, null, options);
        }
        ServerStore server = ServerStore.connect(target.server().get(), options.connectTimeout());
        if (!server.proxiesArtifacts()) {
            LOG.warn("MLflow server {} does not proxy artifacts (started with --no-serve-artifacts?): params, metrics "
                    + "and tags are sent, artifacts stay in {} only. Start it with --serve-artifacts to send them.",
                    server.describe(), local.describe());
        }
        return new Tracker(local, server, options);
    }

    /** The local record (read it back for reports: runs, params, metric histories). */
    public LocalStore localStore() {
        return local;
    }

    /** The server runs are mirrored to, when there is one. */
    public Optional<TrackingStore> server() {
        return Optional.ofNullable(server);
    }

    /**
     * The id of the local experiment with this name, created when missing and tagged as model training
     * ({@link #markModelTraining}). With a server, the experiment is also made (and tagged) there now, so a
     * problem with it (say, deleted there) stops the run before training starts.
     */
    public String experiment(String name) {
        String id = local.getOrCreateExperiment(MlflowNames.experimentName(name));
        markModelTraining(id);
        if (syncer != null) {
            try {
                syncer.targetExperiment(id);
            } catch (RuntimeException e) {
                throw new TrackingException("cannot create or open experiment '" + name + "' on MLflow server "
                        + server.describe() + ": " + Syncer.reason(e), e);
            }
        }
        return id;
    }

    /**
     * Starts a run in a local experiment. {@code tags} are set at creation (keys and values made to fit
     * MLflow's limits); {@code parentRunId}, when not null, nests the run under that run (MLflow's
     * {@code mlflow.parentRunId} tag) as experiments do with their variant x seed runs.
     */
    public TrackedRun startRun(String experimentId, String runName, Map<String, String> tags, String parentRunId) {
        return startRun(experimentId, null, runName, tags, parentRunId);
    }

    /**
     * {@link #startRun(String, String, Map, String)} with the run's id chosen by the caller (32 hex digits; null:
     * a new random one), for the executors of a cluster run: their stores record the run the driver named.
     */
    public TrackedRun startRun(String experimentId, String runId, String runName, Map<String, String> tags,
                               String parentRunId) {
        Map<String, String> t = TrackedRun.fit(tags);
        if (parentRunId != null) {
            local.run(parentRunId); // fails clearly for an unknown parent
            t.put(MlflowTags.PARENT_RUN_ID, parentRunId);
        }
        long now = System.currentTimeMillis();
        RunRecord r = runId == null ? local.createRun(experimentId, runName, now, t)
                : local.createRun(experimentId, runId, runName, now, t);
        return new TrackedRun(this, r.runId(), r.experimentId(), r.runName());
    }

    /**
     * Tags an experiment with MLflow 3's kind for model training ({@link MlflowTags#EXPERIMENT_KIND}), the
     * classification MLflow gives to experiments of runs with params and metric curves rather than GenAI traces.
     * Idempotent, and done at every experiment start and resume, so experiments made before get it too; the
     * mirror copies it to the server with the experiment.
     */
    private void markModelTraining(String experimentId) {
        local.setExperimentTag(experimentId, MlflowTags.EXPERIMENT_KIND, MlflowTags.MODEL_TRAINING);
    }

    /** Re-opens a local run (to resume training in it): its status goes back to RUNNING. */
    public TrackedRun resumeRun(String runId) {
        RunRecord r = local.run(runId);
        markModelTraining(r.experimentId());
        local.updateRun(runId, RunStatus.RUNNING, null);
        touched(runId);
        return new TrackedRun(this, r.runId(), r.experimentId(), r.runName());
    }

    void touched(String runId) {
        if (mirror != null) {
            mirror.touch(runId);
        }
    }

    /**
     * Sends everything pending to the server now, waiting at most {@code timeout}; without a server, a
     * complete empty report. Training need not call it (the mirror sends in the background).
     */
    public SyncReport flush(Duration timeout) {
        return mirror == null ? new SyncReport(local.describe()) : mirror.flush(timeout);
    }

    /**
     * Sends one run to the server now (creating it there when new), waiting at most {@code timeout}: what other
     * processes that adopt the run by its local id ({@link MlflowTags#LOCAL_RUN_ID}) need to find there first.
     */
    public SyncReport sendNow(String localRunId, Duration timeout) {
        touched(localRunId);
        return flush(timeout);
    }

    /** Whether the last attempt to reach the server succeeded (true without a server). */
    public boolean serverOnline() {
        return mirror == null || mirror.online();
    }

    /**
     * Makes the last attempt to send to the server (within the close timeout) and logs the outcome: what is
     * still not on the server stays in the local store, and the log says to run {@code bin/flowbench sync}.
     * Returns that last attempt's report (complete when everything reached the server or there is none).
     */
    public SyncReport finish() {
        if (closeReport != null) {
            return closeReport;
        }
        if (mirror == null) {
            closeReport = new SyncReport(local.describe());
            return closeReport;
        }
        closeReport = mirror.close(options.closeTimeout());
        if (closeReport.isComplete()) {
            LOG.info("MLflow server {}: all runs sent ({})", server.describe(), mirror.sent());
        } else {
            LOG.warn("MLflow server {}: {} run(s) are complete in {} but not (fully) on the server:\n{}\nSend them once "
                    + "the cause is fixed: bin/flowbench sync --tracking-uri {}", server.describe(),
                    closeReport.failures().size(), local.describe(), closeReport, server.describe());
        }
        server.close();
        return closeReport;
    }

    @Override
    public void close() {
        finish();
    }
}
