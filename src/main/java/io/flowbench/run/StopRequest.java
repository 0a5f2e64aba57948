package io.flowbench.run;

import io.flowbench.tracking.RunStatus;
import io.flowbench.tracking.TrackedRun;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A request to stop training, made by SIGINT or SIGTERM (any JVM shutdown): the training loop stops at its
 * next step boundary, checkpoints, ends its run and the parent KILLED, and the shutdown hook waits for that
 * record to be complete before the JVM exits with the signal's status (130 for SIGINT, 143 for SIGTERM).
 * The wait is bounded by {@link #GRACE}; past it (the invocation was in a long evaluation, say) the hook ends
 * the runs still open KILLED itself, without a last checkpoint.
 */
public final class StopRequest {
    static final Duration GRACE = Duration.ofSeconds(60);

    private final Set<TrackedRun> open = ConcurrentHashMap.newKeySet();
    private final CountDownLatch recorded = new CountDownLatch(1);
    private volatile boolean requested;

    /** The installed shutdown hook of one invocation. */
    public interface Hook extends AutoCloseable {
        @Override
        void close();
    }

    /** Whether training should stop at the next step boundary. */
    public boolean requested() {
        return requested;
    }

    /** A run being recorded: ended KILLED by the hook if the invocation cannot end it within the grace period. */
    void opened(TrackedRun run) {
        open.add(run);
    }

    /**
     * Installs the shutdown hook for one invocation. Closing the result says the invocation's record is
     * complete (a waiting hook returns) and removes the hook when no shutdown is under way.
     */
    public Hook install(Progress progress) {
        Thread hook = new Thread(() -> {
            requested = true;
            progress.message("stopping: the current step ends, is checkpointed and the runs are ended KILLED"
                    + " (waiting at most " + GRACE.toSeconds() + " s)");
            try {
                if (!recorded.await(GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                    open.stream().filter(r -> !r.isEnded()).forEach(r -> r.end(RunStatus.KILLED));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "flowbench-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        return () -> {
            recorded.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or about to, and returns at once now
            }
        };
    }
}
