package io.flowbench.tracking;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What a sync sent, and which runs it could not (fully) send and why. */
public final class SyncReport {
    private final String target;
    private final List<String> runs = new ArrayList<>();
    private final Map<String, String> failures = new LinkedHashMap<>();
    private int createdRuns;
    private int metrics;
    private int params;
    private int tags;
    private int artifacts;

    public SyncReport(String target) {
        this.target = target;
    }

    public String target() {
        return target;
    }

    /** Local ids of the runs brought fully up to date on the target. */
    public List<String> syncedRuns() {
        return Collections.unmodifiableList(runs);
    }

    /** Local run id to the reason it is not (fully) on the target. */
    public Map<String, String> failures() {
        return Collections.unmodifiableMap(failures);
    }

    public boolean isComplete() {
        return failures.isEmpty();
    }

    public int createdRuns() {
        return createdRuns;
    }

    public int metricsSent() {
        return metrics;
    }

    public int paramsSent() {
        return params;
    }

    public int tagsSent() {
        return tags;
    }

    public int artifactsSent() {
        return artifacts;
    }

    synchronized void created() {
        createdRuns++;
    }

    synchronized void sent(int metrics, int params, int tags, int artifacts) {
        this.metrics += metrics;
        this.params += params;
        this.tags += tags;
        this.artifacts += artifacts;
    }

    synchronized void synced(String runId) {
        failures.remove(runId);
        if (!runs.contains(runId)) {
            runs.add(runId);
        }
    }

    synchronized void failed(String runId, String reason) {
        runs.remove(runId);
        failures.put(runId, reason);
    }

    synchronized void add(SyncReport other) {
        other.runs.forEach(this::synced);
        other.failures.forEach(this::failed);
        createdRuns += other.createdRuns;
        sent(other.metrics, other.params, other.tags, other.artifacts);
    }

    /** One line for the log, plus a line per failed run. */
    @Override
    public synchronized String toString() {
        StringBuilder b = new StringBuilder(String.format("%d run(s) up to date on %s (%d created; sent %d metric values, "
                + "%d params, %d tags, %d artifacts)", runs.size(), target, createdRuns, metrics, params, tags, artifacts));
        if (!failures.isEmpty()) {
            b.append(String.format("; %d run(s) not fully sent:", failures.size()));
            failures.forEach((id, why) -> b.append("\n  ").append(id).append(": ").append(why));
        }
        return b.toString();
    }
}
