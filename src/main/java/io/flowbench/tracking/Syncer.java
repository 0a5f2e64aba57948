package io.flowbench.tracking;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Copies runs from the local store to a target store (an MLflow server), incrementally and idempotently:
 * what was sent is recorded per run in {@link SyncState}, so a repeated sync sends only what is new, and the
 * target's copy is tagged {@link MlflowTags#LOCAL_RUN_ID} so even a lost state does not duplicate a run.
 * Parents are created before their children, whose {@code mlflow.parentRunId} is translated to the target's
 * id. One sync per run at a time (threads and processes).
 */
public final class Syncer {
    private final LocalStore source;
    private final TrackingStore target;
    private final Map<String, String> experimentIds = new ConcurrentHashMap<>();
    private final Map<String, Object> runLocks = new ConcurrentHashMap<>();

    public Syncer(LocalStore source, TrackingStore target) {
        this.source = source;
        this.target = target;
    }

    public TrackingStore target() {
        return target;
    }

    /** All runs of every local experiment. */
    public SyncReport syncAll() {
        SyncReport report = new SyncReport(target.describe());
        for (ExperimentRecord e : source.experiments()) {
            if (e.isActive()) {
                syncRuns(source.runs(e.id()), report);
            }
        }
        return report;
    }

    /** All runs of one local experiment. */
    public SyncReport syncExperiment(String name) {
        SyncReport report = new SyncReport(target.describe());
        ExperimentRecord e = source.experimentByName(name).orElseThrow(() -> new TrackingException(
                "no experiment named '" + name + "' in " + source.describe()));
        syncRuns(source.runs(e.id()), report);
        return report;
    }

    private void syncRuns(List<RunRecord> runs, SyncReport report) {
        List<RunRecord> ordered = new ArrayList<>(runs);
        ordered.sort(Comparator.comparing((RunRecord r) -> r.parentRunId().isPresent())
                .thenComparingLong(RunRecord::startTime));
        for (RunRecord r : ordered) {
            report.add(syncRun(r.runId()));
        }
    }

    /** Brings one run up to date on the target; failures are reported, not thrown. */
    public SyncReport syncRun(String localRunId) {
        SyncReport report = new SyncReport(target.describe());
        try {
            sync(localRunId, report, true);
            report.synced(localRunId);
        } catch (RuntimeException e) {
            report.failed(localRunId, reason(e));
        }
        return report;
    }

    /**
     * Target's experiment id for a local experiment, created on the target when missing; the first time in this
     * syncer, the target's experiment tags are brought up to the local ones (so an experiment tagged locally
     * after it was first sent gets the tags with the next sync).
     */
    String targetExperiment(String localExperimentId) {
        return experimentIds.computeIfAbsent(localExperimentId, id -> {
            ExperimentRecord local = source.experiment(id).orElseThrow(() -> new TrackingException(
                    "no experiment " + id + " in " + source.describe()));
            String targetId = target.getOrCreateExperiment(local.name());
            Map<String, String> there = target.experiment(targetId).map(ExperimentRecord::tags).orElse(Map.of());
            local.tags().forEach((key, value) -> {
                if (!value.equals(there.get(key))) {
                    target.setExperimentTag(targetId, key, value);
                }
            });
            return targetId;
        });
    }

    /** Sends what the target lacks of a run ({@code full}) or only creates it (for a parent); returns its target id. */
    private String sync(String localRunId, SyncReport report, boolean full) {
        synchronized (runLocks.computeIfAbsent(localRunId, k -> new Object())) {
            Path runDir = source.runDir(localRunId);
            try {
                Files.createDirectories(SyncState.directory(runDir));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Path lockFile = SyncState.directory(runDir).resolve(target.key() + ".lock");
            try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock lock = ch.tryLock()) {
                if (lock == null) {
                    throw new TrackingException("run " + localRunId + " is being synced by another process");
                }
                SyncState state = SyncState.load(runDir, target.key(), source.root());
                RunRecord run = source.runWithoutMetrics(localRunId);
                String targetId = ensureCreated(run, state, report);
                if (full) {
                    sendContents(run, targetId, state, report);
                }
                return targetId;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot lock " + lockFile, e);
            }
        }
    }

    private String ensureCreated(RunRecord run, SyncState state, SyncReport report) {
        String experimentId = targetExperiment(run.experimentId()); // also for a run already there: its tags
        if (state.targetRunId() != null) {
            return state.targetRunId();
        }
        var existing = target.findRunByTag(experimentId, MlflowTags.LOCAL_RUN_ID, run.runId());
        RunRecord created;
        if (existing.isPresent()) {
            created = existing.get(); // an earlier sync created it but its state was lost: adopt it
            for (String key : source.metricKeys(run.runId())) {
                state.metricLinesSent(key, target.metricHistory(created.runId(), key).size());
            }
        } else {
            Map<String, String> tags = translatedTags(run.tags());
            tags.put(MlflowTags.LOCAL_RUN_ID, run.runId());
            created = target.createRun(experimentId, run.runName(), run.startTime(), tags);
            tags.forEach(state::tagSent);
            report.created();
        }
        state.mapTo(target.describe(), experimentId, created.runId());
        state.save();
        return created.runId();
    }

    /** Tags with a local parent run id replaced by the parent's id on the target (creating the parent there). */
    private Map<String, String> translatedTags(Map<String, String> tags) {
        Map<String, String> out = new LinkedHashMap<>(tags);
        String parent = tags.get(MlflowTags.PARENT_RUN_ID);
        if (parent != null) {
            out.put(MlflowTags.PARENT_RUN_ID, sync(parent, new SyncReport(target.describe()), false));
        }
        return out;
    }

    private void sendContents(RunRecord run, String targetId, SyncState state, SyncReport report) {
        Map<String, String> params = new LinkedHashMap<>();
        run.params().forEach((k, v) -> {
            if (!state.isParamSent(k)) {
                params.put(k, v);
            }
        });
        Map<String, String> tags = new LinkedHashMap<>();
        translatedTags(run.tags()).forEach((k, v) -> {
            if (!state.isTagSent(k, v)) {
                tags.put(k, v);
            }
        });
        if (!params.isEmpty() || !tags.isEmpty()) {
            target.logBatch(targetId, List.of(), params, tags);
            params.keySet().forEach(state::paramSent);
            tags.forEach(state::tagSent);
            state.save();
            report.sent(0, params.size(), tags.size(), 0);
        }
        for (String key : source.metricKeys(run.runId())) {
            List<MetricPoint> all = source.metricHistory(run.runId(), key);
            int sent = state.metricLinesSent(key);
            for (int i = sent; i < all.size(); i += MlflowNames.MAX_METRICS_PER_BATCH) {
                int end = Math.min(all.size(), i + MlflowNames.MAX_METRICS_PER_BATCH);
                target.logBatch(targetId, all.subList(i, end), Map.of(), Map.of());
                state.metricLinesSent(key, end);
                state.save();
                report.sent(end - i, 0, 0, 0);
            }
        }
        RuntimeException artifactFailure = null;
        try {
            sendArtifacts(run, targetId, state, report);
        } catch (RuntimeException e) {
            artifactFailure = e; // e.g. a server without artifact proxy: still send the status, then report it
        }
        if (run.status().isTerminal() && !run.status().name().equals(state.statusSent())) {
            target.updateRun(targetId, run.status(), run.endTime());
            state.statusSent(run.status());
            state.save();
        }
        if (artifactFailure != null) {
            throw artifactFailure;
        }
    }

    private void sendArtifacts(RunRecord run, String targetId, SyncState state, SyncReport report) {
        for (Map.Entry<String, Long> a : source.artifacts(run.runId()).entrySet()) {
            Path file = source.artifactFile(run.runId(), a.getKey());
            String version;
            try {
                version = a.getValue() + ":" + Files.getLastModifiedTime(file).toMillis();
            } catch (IOException e) {
                continue; // replaced meanwhile; the next sync sends the new one
            }
            if (!version.equals(state.artifactVersion(a.getKey()))) {
                int slash = a.getKey().lastIndexOf('/');
                target.logArtifact(targetId, file, slash < 0 ? "" : a.getKey().substring(0, slash));
                state.artifactVersion(a.getKey(), version);
                state.save();
                report.sent(0, 0, 0, 1);
            }
        }
    }

    static String reason(Throwable e) {
        StringBuilder b = new StringBuilder();
        for (Throwable t = e; t != null && b.length() < 600; t = t.getCause()) {
            String m = t.getMessage();
            if (b.length() > 0) {
                b.append(" <- ");
            }
            b.append(t.getClass().getSimpleName()).append(m == null ? "" : ": " + m.strip());
        }
        return b.toString();
    }
}
