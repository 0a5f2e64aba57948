package io.flowbench.cli;

import com.google.inject.Injector;
import com.google.inject.Module;
import io.flowbench.report.ReportingModule;
import io.flowbench.run.DatasetPreparation;
import io.flowbench.run.ExperimentPlan;
import io.flowbench.run.ExperimentRunner;
import io.flowbench.run.NativeMemoryGuard;
import io.flowbench.run.Progress;
import io.flowbench.run.StopRequest;
import io.flowbench.run.TrainingModule;
import io.flowbench.tracking.Tracker;
import io.flowbench.tracking.TrackingModule;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.function.Function;

/** Trains an experiment's runs as {@code run} and {@code regress} do: its data prepared, its tracker open, stops handled. */
final class ExperimentTraining {
    private ExperimentTraining() {
    }

    /**
     * Prepares the plan's datasets (installing package-provided ones, saying so on {@code log}), then lets
     * {@code work} train with the experiment runner of the plan's tracking store; a stop (Ctrl-C, SIGTERM) waits
     * until {@code work} returns.
     */
    static <T> T train(Injector base, ExperimentPlan plan, PrintWriter log, Function<ExperimentRunner, T> work)
            throws IOException, InterruptedException {
        return train(base, plan, log, 1, binder -> { }, new ReportingModule(), work);
    }

    /**
     * The same with the runs dispatched by {@code dispatch} (the default: in turn; see {@code RunDispatch}) and
     * reported through {@code reporting}; {@code log} null: no dataset is prepared here (a cluster's workers
     * check their own). With {@code runsAtOnce} > 0 the runs train in this process, this many at a time, and a
     * {@link NativeMemoryGuard} keeps its native memory near what they hold alive; 0: they train elsewhere.
     */
    static <T> T train(Injector base, ExperimentPlan plan, PrintWriter log, int runsAtOnce, Module dispatch,
                       Module reporting, Function<ExperimentRunner, T> work) throws IOException, InterruptedException {
        if (log != null) {
            Injection.get(base, DatasetPreparation.class).prepare(plan, log);
        }
        Injector runs = base.createChildInjector(new TrackingModule(plan.trackingUri()), new TrainingModule(),
                dispatch, reporting);
        StopRequest stop = Injection.get(runs, StopRequest.class);
        // Closed last: a shutdown (SIGINT, SIGTERM) waits until the runs are ended and the tracker is closed.
        try (StopRequest.Hook stopHook = stop.install(Injection.get(runs, Progress.class));
             Tracker tracker = Injection.get(runs, Tracker.class);
             NativeMemoryGuard guard = runsAtOnce > 0
                     ? NativeMemoryGuard.start(Math.min(runsAtOnce, plan.runs().size())) : null) {
            return work.apply(Injection.get(runs, ExperimentRunner.class));
        }
    }
}
