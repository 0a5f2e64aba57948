package io.flowbench.run;

import com.google.inject.Inject;
import com.google.inject.Module;
import com.google.inject.name.Named;
import com.google.inject.name.Names;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Up to {@code width} runs at once in this process, each on its own thread, with the native (OpenMP) threads
 * shared out between them ({@link NativeThreads}): each op gets {@code max(1, threads / width)} where it would
 * get {@code threads} alone, so N runs (N at most the threads) do not oversubscribe the cores. Runs are
 * independent (their own graph, data iterator, random streams and tracked run), so each trains exactly as it
 * would alone with that many threads. A stop request starts no further run; the runs in progress stop at their
 * next step.
 */
public final class ParallelRuns implements RunDispatch {
    private final RunExecutor executor;
    private final StopRequest stop;
    private final int width;
    private static final String WIDTH = "flowbench.parallel-runs";

    /** The binding that makes {@code width} runs train at once. */
    public static Module module(int width) {
        return binder -> {
            binder.bindConstant().annotatedWith(Names.named(WIDTH)).to(width);
            binder.bind(RunDispatch.class).to(ParallelRuns.class);
        };
    }

    @Inject
    ParallelRuns(RunExecutor executor, StopRequest stop, @Named(WIDTH) int width) {
        if (width < 1) {
            throw new IllegalArgumentException("--parallel " + width + ": give the number of runs to train at once (1 or more)");
        }
        this.executor = executor;
        this.stop = stop;
        this.width = width;
    }

    /** The native threads each of {@code width} runs gets out of {@code total}. */
    static int threadsPerRun(int total, int width) {
        return Math.max(1, total / width);
    }

    @Override
    public List<RunOutcome> trainAll(ExperimentPlan plan, String experimentId, String parentRunId, Map<String, String> tags) {
        int perRun = threadsPerRun(NativeThreads.current(), Math.min(width, plan.runs().size()));
        ExecutorService pool = Executors.newFixedThreadPool(width, r -> {
            Thread t = new Thread(r, "flowbench-run");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<RunOutcome>> started = new ArrayList<>();
            for (RunPlan run : plan.runs()) {
                started.add(pool.submit(() -> {
                    try (NativeThreads threads = NativeThreads.use(perRun)) {
                        return stop.requested() ? null : executor.start(run, experimentId, parentRunId, tags);
                    }
                }));
            }
            List<RunOutcome> outcomes = new ArrayList<>();
            for (Future<RunOutcome> f : started) {
                RunOutcome o = f.get();
                if (o != null) {
                    outcomes.add(o);
                }
            }
            return outcomes;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the runs", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } finally {
            pool.shutdown();
        }
    }
}
