package io.flowbench.cluster;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.typesafe.config.ConfigRenderOptions;
import io.flowbench.config.ConfigModule;
import io.flowbench.config.Experiment;
import io.flowbench.data.DataModule;
import io.flowbench.run.ExperimentPlan;
import io.flowbench.run.ExperimentPlanner;
import io.flowbench.samediff.SubgraphCachingSession;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * An experiment as the driver sends it to executors: its resolved configuration as text (never arrays or
 * graphs), planned again on the executor exactly as the driver planned it, so each task builds its run's
 * model, data and settings itself.
 */
final class ShippedExperiment implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String resolved;

    ShippedExperiment(ExperimentPlan plan) {
        this.resolved = plan.experiment().resolved().root().render(ConfigRenderOptions.concise());
    }

    /** The bindings an executor needs (model kinds, datasets), with this process set up as the CLI sets it up. */
    static Injector injector() {
        SubgraphCachingSession.install();
        return Guice.createInjector(new DataModule(), new ConfigModule());
    }

    /** The plan, validated and resolved on this executor. */
    ExperimentPlan plan(Injector injector) {
        try {
            Path file = Files.createTempFile("flowbench-experiment", ".conf");
            try {
                Files.writeString(file, resolved);
                return injector.getInstance(ExperimentPlanner.class).plan(Experiment.load(file, List.of()));
            } finally {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
