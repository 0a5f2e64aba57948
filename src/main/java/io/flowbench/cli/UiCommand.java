package io.flowbench.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

import io.flowbench.tracking.ExperimentRecord;
import io.flowbench.tracking.LocalStore;
import io.flowbench.tracking.MlflowInstall;
import io.flowbench.tracking.MlflowUiLinks;
import io.flowbench.tracking.TrackingTarget;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code flowbench ui}: the MLflow UI on the local store. */
@Command(name = "ui", mixinStandardHelpOptions = true,
        description = "Open the MLflow UI on the local store (./mlruns), with the repository's .venv mlflow or the one "
                + "on the PATH, and print each experiment's link to its training runs and metric charts. Stops "
                + "with Ctrl-C.")
public final class UiCommand implements Callable<Integer> {

    @Option(names = "--store", paramLabel = "DIR", description = "The local store (default: ${DEFAULT-VALUE}).")
    Path store = TrackingTarget.DEFAULT_LOCAL_STORE;

    @Option(names = "--host", description = "Address to listen on (default: ${DEFAULT-VALUE}).")
    String host = "127.0.0.1";

    @Option(names = "--port", description = "Port (default: ${DEFAULT-VALUE}).")
    int port = 5000;

    @Override
    public Integer call() throws IOException, InterruptedException {
        Optional<Path> mlflow = MlflowInstall.find();
        if (mlflow.isEmpty()) {
            System.err.println("flowbench ui: " + MlflowInstall.installHint());
            return 1;
        }
        Path dir = store.toAbsolutePath().normalize();
        if (!Files.isDirectory(dir)) {
            System.err.println("flowbench ui: no local store at " + dir + " (run an experiment first, or give --store)");
            return 1;
        }
        ProcessBuilder pb = new ProcessBuilder(List.of(mlflow.get().toString(), "ui", "--backend-store-uri",
                dir.toString(), "--host", host, "--port", Integer.toString(port), "--workers", "1")).inheritIO();
        pb.environment().putAll(MlflowInstall.environment());
        String base = "http://" + host + ":" + port;
        System.err.println("flowbench ui: MLflow UI on " + dir + " at " + base + " (Ctrl-C stops it)");
        System.err.print(experimentLinks(new LocalStore(dir), base));
        Process p = pb.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
        }));
        return p.waitFor();
    }

    /**
     * Where to open each experiment as model training ({@link MlflowUiLinks}): the UI opens experiments in its
     * GenAI view unless told otherwise. The Default experiment is left out while it has no runs.
     */
    static String experimentLinks(LocalStore store, String base) {
        List<ExperimentRecord> shown = store.experiments().stream().filter(ExperimentRecord::isActive)
                .filter(e -> !e.name().equals("Default") || !store.runs(e.id()).isEmpty())
                .sorted(Comparator.comparing(ExperimentRecord::name)).toList();
        if (shown.isEmpty()) {
            return "";
        }
        StringBuilder b = new StringBuilder("flowbench ui: the training runs and metric charts of each experiment:\n");
        int width = shown.stream().mapToInt(e -> e.name().length()).max().orElse(0);
        shown.forEach(e -> b.append(String.format("  %-" + width + "s  %s%n", e.name(),
                MlflowUiLinks.trainingRuns(base, e.id()))));
        return b.append("flowbench ui: elsewhere in the UI, set the sidebar switch to \"Model training\" (not \"GenAI\"); "
                + "the browser remembers it.\n").toString();
    }
}
