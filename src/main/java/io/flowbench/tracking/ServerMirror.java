package io.flowbench.tracking;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mirrors the local record to a tracking server in the background. Training only ever writes the local
 * store; runs it touched are marked, and a daemon thread sends what is new every {@code interval} through
 * a {@link Syncer}. When the server fails, nothing is lost: the runs stay marked, a warning is logged once,
 * and sending is retried with growing pauses (up to a minute) until the server answers again. {@link #close}
 * makes a last attempt within a time limit and reports what is still not on the server.
 */
final class ServerMirror implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ServerMirror.class);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(60);

    private final Syncer syncer;
    private final Duration interval;
    private final ScheduledExecutorService thread;
    /** Runs with something not yet sent, with a count of their changes (a run changed while it is being sent stays). */
    private final Map<String, Long> pending = new LinkedHashMap<>();
    private final SyncReport total;
    private boolean online = true;
    private long retryAtMillis;
    private Duration backoff;
    private SyncReport lastFailures;

    ServerMirror(Syncer syncer, Duration interval) {
        this.syncer = syncer;
        this.interval = interval;
        this.backoff = interval;
        this.total = new SyncReport(syncer.target().describe());
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "flowbench-mlflow-mirror");
            t.setDaemon(true);
            return t;
        });
        long ms = Math.max(1, interval.toMillis());
        thread.scheduleWithFixedDelay(() -> pass(false), ms, ms, TimeUnit.MILLISECONDS);
    }

    /** Marks a run as having something new for the server. Cheap; called on every tracking call. */
    void touch(String localRunId) {
        synchronized (pending) {
            pending.merge(localRunId, 1L, Long::sum);
        }
    }

    /** Sends everything pending now (ignoring any back-off), waiting at most {@code timeout}. */
    SyncReport flush(Duration timeout) {
        if (thread.isShutdown()) {
            SyncReport r = new SyncReport(syncer.target().describe());
            pendingRuns().forEach(id -> r.failed(id, "the tracker is closed; use bin/flowbench sync"));
            return r;
        }
        Future<SyncReport> f = thread.submit(() -> pass(true));
        try {
            return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            SyncReport r = new SyncReport(syncer.target().describe());
            pendingRuns().forEach(id -> r.failed(id, "the server did not answer within " + timeout.toSeconds() + " s"));
            return r;
        } catch (ExecutionException e) {
            throw new TrackingException("mirroring to " + syncer.target().describe() + " failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TrackingException("interrupted while mirroring to " + syncer.target().describe(), e);
        }
    }

    boolean online() {
        synchronized (pending) {
            return online;
        }
    }

    List<String> pendingRuns() {
        synchronized (pending) {
            return new ArrayList<>(pending.keySet());
        }
    }

    /** One pass over the pending runs; stops at the first failure (the server is likely down for all). */
    private SyncReport pass(boolean force) {
        SyncReport report = new SyncReport(syncer.target().describe());
        if (!force && System.currentTimeMillis() < retryAtMillis) {
            pendingRuns().forEach(id -> report.failed(id, "waiting to retry: " + lastFailure()));
            return report;
        }
        for (String id : pendingRuns()) {
            Long changes;
            synchronized (pending) {
                changes = pending.get(id);
            }
            SyncReport r = syncer.syncRun(id);
            report.add(r);
            if (r.isComplete()) {
                synchronized (pending) {
                    pending.remove(id, changes); // kept when it changed meanwhile: the next pass sends that
                }
            } else {
                pendingRuns().forEach(p -> {
                    if (!report.failures().containsKey(p)) {
                        report.failed(p, "not tried after an earlier failure");
                    }
                });
                break;
            }
        }
        total.add(report);
        noteOutcome(report);
        return report;
    }

    private String lastFailure() {
        SyncReport f = lastFailures;
        return f == null || f.failures().isEmpty() ? "" : f.failures().values().iterator().next();
    }

    private void noteOutcome(SyncReport report) {
        synchronized (pending) {
            if (report.isComplete()) {
                if (!online) {
                    LOG.info("MLflow server {} answers again; the runs kept locally meanwhile are sent",
                            syncer.target().describe());
                }
                online = true;
                backoff = interval;
                retryAtMillis = 0;
                return;
            }
            lastFailures = report;
            if (online) {
                LOG.warn("Cannot send to MLflow server {} ({}). Training goes on: everything stays in the local store; "
                        + "sending is retried, and `bin/flowbench sync` sends what is left later.",
                        syncer.target().describe(), lastFailure());
            }
            online = false;
            retryAtMillis = System.currentTimeMillis() + backoff.toMillis();
            backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
        }
    }

    /** Everything sent during this mirror's life. */
    SyncReport sent() {
        return total;
    }

    /** Last attempt, bounded by {@code timeout}; the answer lists the runs the server still lacks. */
    SyncReport close(Duration timeout) {
        SyncReport last = flush(timeout);
        thread.shutdownNow();
        return last;
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
