package io.flowbench.cluster;

import com.google.inject.AbstractModule;
import com.google.inject.Module;
import com.google.inject.Provides;
import com.google.inject.util.Modules;
import io.flowbench.report.ReportingModule;
import io.flowbench.run.ExperimentPlan;
import io.flowbench.run.Progress;
import io.flowbench.run.RunDispatch;
import io.flowbench.run.StopRequest;
import io.flowbench.tracking.ServerStore;
import io.flowbench.tracking.Tracker;
import io.flowbench.tracking.TrackerOptions;
import io.flowbench.tracking.TrackingException;
import io.flowbench.tracking.TrackingStore;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;

/**
 * {@code flowbench run --executor spark}: the checks made before anything is recorded, and the bindings that
 * send the runs to the cluster and read the report back from the tracking server, where the runs meet.
 */
public final class SparkExecutor implements AutoCloseable {
    private final SparkCluster cluster;
    private final ClusterSettings settings;

    private SparkExecutor(SparkCluster cluster, ClusterSettings settings) {
        this.cluster = cluster;
        this.settings = settings;
    }

    /** Refuses an experiment whose tracking URI is not an MLflow server that answers now. */
    public static void refuseWithoutServer(ExperimentPlan plan) {
        URI server = SparkCluster.trackingServer(plan.trackingUri());
        try (ServerStore probe = ServerStore.connect(server, TrackerOptions.defaults().connectTimeout())) {
            probe.describe();
        } catch (TrackingException e) {
            // Its first sentence says what failed; its advice (record locally) does not fit a cluster.
            throw new ClusterException(e.getMessage().split("\\. ", 2)[0] + "; a cluster run records every run on"
                    + " its tracking server: start it (mlflow server --host 0.0.0.0 ...) or correct experiment.tracking.uri", e);
        }
    }

    /**
     * Starts the Spark application and checks its executors (see {@link SparkCluster}); first says on {@code err}
     * which off-heap limit the executors get and why, or that an explicit one is below the estimate.
     */
    public static SparkExecutor open(ExperimentPlan plan, String master, int parallel, PrintWriter err) {
        ClusterSettings settings = ClusterSettings.from(plan, master, parallel);
        if (!settings.offHeapNote().isEmpty()) {
            err.println(settings.offHeapNote());
        }
        return new SparkExecutor(SparkCluster.open(settings, plan), settings);
    }

    /**
     * What a cluster run stopped by a signal leaves, and how to go on: with storage all workers share, the same
     * command continues the stopped runs ({@link SparkRuns}); without it, it trains every run anew.
     */
    public static String howToGoOn(ExperimentPlan plan) {
        String shared = plan.experiment().resolved().getString("experiment.checkpoint.dir");
        String server = "the stopped runs keep their histories on " + SparkCluster.trackingServer(plan.trackingUri());
        return shared.isBlank() ? server + "; running the same command again trains every run anew under a new parent"
                + " run (with experiment.checkpoint.dir on storage every worker mounts, it would continue them)"
                : server + " and their last checkpoints in " + Path.of(shared, "flowbench-runs") + "; run the same command"
                + " again to continue them from there (and train the runs not started)";
    }

    /** Binds the runs' dispatch to the cluster. */
    public Module dispatch() {
        return new AbstractModule() {
            @Provides
            RunDispatch dispatch(Tracker tracker, Progress progress, StopRequest stop) {
                return new SparkRuns(cluster, tracker, progress, stop, settings.sharedDir());
            }
        };
    }

    /** The reporting bindings, reading the runs from the tracking server (none is in the local store). */
    public Module reporting() {
        return Modules.override(new ReportingModule()).with(new AbstractModule() {
            @Provides
            TrackingStore reportSource(Tracker tracker) {
                return tracker.server().orElseThrow();
            }
        });
    }

    @Override
    public void close() {
        cluster.close();
    }
}
