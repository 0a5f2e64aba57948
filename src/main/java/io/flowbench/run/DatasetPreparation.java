package io.flowbench.run;

import com.google.inject.Inject;
import io.flowbench.data.DataOptions;
import io.flowbench.data.DatasetInstaller;
import io.flowbench.data.DatasetRegistry;
import io.flowbench.data.DatasetSource;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The data of an experiment, made ready before any MLflow run is created, so that a missing or corrupt
 * dataset stops the command with nothing recorded: a package-provided dataset that is missing is
 * installed (saying so), a user-supplied one that is missing is an error saying what to fetch and where,
 * and every split the runs will read is decoded into the {@link DatasetCache} they share.
 */
public final class DatasetPreparation {
    private final DatasetRegistry registry;
    private final DatasetInstaller installer;
    private final DatasetCache cache;

    @Inject
    public DatasetPreparation(DatasetRegistry registry, DatasetInstaller installer, DatasetCache cache) {
        this.registry = registry;
        this.installer = installer;
        this.cache = cache;
    }

    /** Installs what is missing and can be, then loads every distinct data configuration of the plan. */
    public void prepare(ExperimentPlan plan, PrintWriter log) throws IOException, InterruptedException {
        for (DataOptions options : distinct(plan)) {
            installer.ensure(options.dataset(), options.path(), log);
        }
        for (DataOptions options : distinct(plan)) {
            cache.load(options);
        }
    }

    /**
     * What {@code run --dry-run} can check without installing or decoding anything: a user-supplied dataset
     * must be present (else the same error as a run); a missing package-provided one gets a note.
     */
    public void check(ExperimentPlan plan, PrintWriter out) throws IOException {
        for (DataOptions options : distinct(plan)) {
            if (registry.find(options.dataset(), options.path()).isPresent()) {
                continue;
            }
            DatasetSource.InstallPlan install = registry.source(options.dataset()).installPlan(registry.locations());
            if (options.path() != null || !install.automatic()) {
                registry.locate(options.dataset(), options.path()); // throws what is missing and how to get it
            }
            out.println("# note: dataset " + options.dataset() + " is not installed; run installs it first ("
                    + String.join(" ", install.command()) + ")");
        }
    }

    private static Set<DataOptions> distinct(ExperimentPlan plan) {
        Set<DataOptions> all = new LinkedHashSet<>();
        plan.runs().forEach(r -> all.add(r.data()));
        return all;
    }
}
