package io.flowbench.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;

import io.flowbench.tracking.LocalStore;
import io.flowbench.tracking.ServerStore;
import io.flowbench.tracking.SyncReport;
import io.flowbench.tracking.Syncer;
import io.flowbench.tracking.TrackerOptions;
import io.flowbench.tracking.TrackingTarget;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code flowbench sync}: pushes runs recorded in the local store to an MLflow tracking server. */
@Command(name = "sync", mixinStandardHelpOptions = true,
        description = {"Send runs from the local store (./mlruns) to an MLflow tracking server: runs made offline, or "
                + "what a server missed during an outage. Idempotent: a run already there is brought up to date, "
                + "never duplicated."})
public final class SyncCommand implements Callable<Integer> {

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--tracking-uri", paramLabel = "URI",
            description = "The server, http(s)://host:port (default: $MLFLOW_TRACKING_URI).")
    String trackingUri;

    @Option(names = "--experiment", paramLabel = "NAME", description = "Only this experiment's runs (default: all).")
    String experiment;

    @Option(names = "--store", paramLabel = "DIR", description = "The local store (default: ${DEFAULT-VALUE}).")
    Path store = TrackingTarget.DEFAULT_LOCAL_STORE;

    @Override
    public Integer call() {
        String uri = trackingUri != null ? trackingUri : System.getenv("MLFLOW_TRACKING_URI");
        if (uri == null || uri.isBlank()) {
            throw new IllegalArgumentException("no server given; use --tracking-uri http://host:port "
                    + "(or set MLFLOW_TRACKING_URI)");
        }
        TrackingTarget target = TrackingTarget.parse(uri, store);
        if (target.server().isEmpty()) {
            throw new IllegalArgumentException("'" + uri + "' is not a tracking server; give http(s)://host:port");
        }
        LocalStore local = new LocalStore(store);
        try (ServerStore server = ServerStore.connect(target.server().get(), TrackerOptions.defaults().connectTimeout())) {
            Syncer syncer = new Syncer(local, server);
            SyncReport report = experiment == null ? syncer.syncAll() : syncer.syncExperiment(experiment);
            spec.commandLine().getOut().println(report);
            return report.isComplete() ? 0 : 1;
        }
    }
}
