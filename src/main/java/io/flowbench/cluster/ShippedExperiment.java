package io.flowbench.cluster;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValueFactory;
import io.flowbench.config.ConfigModule;
import io.flowbench.config.Experiment;
import io.flowbench.data.DataModule;
import io.flowbench.run.ExperimentPlan;
import io.flowbench.run.ExperimentPlanner;
import io.flowbench.samediff.FlowSession;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * An experiment as the driver sends it to executors: its resolved {@code experiment} block as text (never
 * arrays or graphs), planned again on the executor exactly as the driver planned it, so each task builds its
 * run's model, data and settings itself.
 */
final class ShippedExperiment implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String resolved;

    ShippedExperiment(ExperimentPlan plan) {
        // Each variant with its complete model and training blocks (a kind's training defaults already applied),
        // so the executor, which reads them as set by the experiment, plans exactly the driver's runs.
        List<Map<String, Object>> variants = plan.experiment().variants().stream().map(v -> Map.<String, Object>of(
                "name", v.name(), "model", v.model().root().unwrapped(), "training", v.training().root().unwrapped())).toList();
        this.resolved = plan.experiment().resolved().withOnlyPath("experiment")
                .withValue("experiment.variants", ConfigValueFactory.fromIterable(variants))
                .root().render(ConfigRenderOptions.concise());
    }

    /** The bindings an executor needs (model kinds, datasets), with this process set up as the CLI sets it up. */
    static Injector injector() {
        FlowSession.install();
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
