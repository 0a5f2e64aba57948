package io.flowbench.run;

import io.flowbench.tracking.RunStatus;
import io.flowbench.tracking.TrackedRun;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * A request to stop training, the one mechanism of every executor. In the invocation's process it is made by
 * SIGINT (Ctrl-C), SIGTERM or SIGHUP, handled instead of the JVM's shutdown so that nothing (Spark's own
 * shutdown, say) tears down what the record still needs: the training loops stop at their next step boundary,
 * checkpoint and end their runs KILLED, a cluster's tasks are cancelled, the parent ends KILLED, and the
 * invocation then ends with {@link RunsStopped} and the signal's exit status (130 for SIGINT, 143 for SIGTERM).
 * In a Spark task it is made by the task's cancellation ({@link #when}). The wait is bounded by {@link #GRACE};
 * past it (the invocation was in a long evaluation, say) the runs still open are ended KILLED here, without a
 * last checkpoint, and the process exits.
 */
public final class StopRequest {
    static final Duration GRACE = Duration.ofSeconds(60);
    private static final List<String> SIGNALS = List.of("INT", "TERM", "HUP");

    private final Set<TrackedRun> open = ConcurrentHashMap.newKeySet();
    private final CountDownLatch recorded = new CountDownLatch(1);
    private final BooleanSupplier elsewhere;
    private volatile Signal signal;

    /** The installed signal handling of one invocation. */
    public interface Hook extends AutoCloseable {
        @Override
        void close();
    }

    public StopRequest() {
        this(() -> false);
    }

    private StopRequest(BooleanSupplier elsewhere) {
        this.elsewhere = elsewhere;
    }

    /** A stop requested when {@code requested} says so (a Spark task: when the task is cancelled). */
    public static StopRequest when(BooleanSupplier requested) {
        return new StopRequest(requested);
    }

    /** Whether training should stop at the next step boundary. */
    public boolean requested() {
        return signal != null || elsewhere.getAsBoolean();
    }

    /** The signal that stopped this invocation, like "SIGINT"; empty when none did. */
    public Optional<String> signal() {
        Signal s = signal;
        return s == null ? Optional.empty() : Optional.of("SIG" + s.getName());
    }

    /** The exit status a process stopped by that signal has: 128 + its number. */
    public int exitStatus() {
        return 128 + signal.getNumber();
    }

    /** A run being recorded: ended KILLED here if the invocation cannot end it within the grace period. */
    void opened(TrackedRun run) {
        open.add(run);
    }

    /**
     * Handles the stop signals for one invocation. Closing the result says the invocation's record is
     * complete (a waiting handler returns) and gives the signals back to the JVM (a later one ends the process
     * at once).
     */
    public Hook install(Progress progress) {
        Map<Signal, SignalHandler> previous = new LinkedHashMap<>();
        for (String name : SIGNALS) {
            Signal s = new Signal(name);
            try {
                previous.put(s, Signal.handle(s, received -> stop(received, progress)));
            } catch (IllegalArgumentException ignoredByThisProcess) {
                // nohup, or -Xrs: this signal does not reach the JVM
            }
        }
        return () -> {
            recorded.countDown();
            previous.forEach(Signal::handle);
        };
    }

    /** Runs on the signal's own thread: asks the invocation to stop, and ends its runs if it cannot in time. */
    private void stop(Signal received, Progress progress) {
        synchronized (this) {
            if (signal != null) {
                return; // already stopping: the first signal's handler waits
            }
            signal = received;
        }
        progress.message("stopping (SIG" + received.getName() + "): the runs end at their next step, checkpointed, "
                + "KILLED (waiting at most " + GRACE.toSeconds() + " s)");
        try {
            if (recorded.await(GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        open.stream().filter(r -> !r.isEnded()).forEach(r -> r.end(RunStatus.KILLED));
        progress.message("stopped after " + GRACE.toSeconds() + " s: the runs still training are ended KILLED "
                + "without a last checkpoint (they resume from the one before)");
        Runtime.getRuntime().exit(exitStatus());
    }
}
