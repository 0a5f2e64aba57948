package io.flowbench.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.inject.Guice;
import com.google.inject.Injector;
import io.flowbench.config.ConfigModule;
import io.flowbench.config.Experiment;
import io.flowbench.data.DataModule;
import io.flowbench.data.TestData;
import io.flowbench.tracking.LocalStore;
import io.flowbench.tracking.RunRecord;
import io.flowbench.tracking.RunStatus;
import io.flowbench.tracking.Tracker;
import io.flowbench.tracking.TrackingModule;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An error escaping an invocation leaves no run RUNNING: the parent it was closing ends FAILED and unlocked. */
class ExperimentRunnerTest {
    @TempDir
    Path dir;

    @Test
    void anErrorWhileClosingTheParentEndsItFailed() throws Exception {
        Path store = dir.resolve("mlruns");
        Path conf = dir.resolve("exp.conf");
        Files.writeString(conf, """
                experiment {
                  name = broken-report
                  %s
                  model { kind = glow, levels = 2, depth = 1, hidden = 8 }
                  training { batch-size = 16, steps = 5, warmup-steps = 1, log-every-steps = 5 }
                  evaluation { every-steps = 5, test-examples = 30, batch-size = 30, samples = 0 }
                  tracking.uri = "%s"
                  variants = [ { name = glow } ]
                }
                """.formatted(TestData.fashionMnistBlock(dir.resolve("data"), 64, 30), store.toString().replace("\\", "/")));
        ExperimentReporter broken = (parent, name, experiment) -> {
            throw new IllegalStateException("a bug in the report");
        };
        Injector injector = Guice.createInjector(new DataModule(), new ConfigModule(),
                new TrackingModule(store.toString()), new TrainingModule(),
                binder -> binder.bind(ExperimentReporter.class).toInstance(broken));
        ExperimentPlan plan = injector.getInstance(ExperimentPlanner.class).plan(Experiment.load(conf, List.of()));
        try (Tracker tracker = injector.getInstance(Tracker.class)) {
            assertThrows(IllegalStateException.class, () -> injector.getInstance(ExperimentRunner.class).run(plan));
        }

        LocalStore local = new LocalStore(store);
        Map<String, RunRecord> runs = local.runs(local.experimentByName("broken-report").orElseThrow().id()).stream()
                .collect(Collectors.toMap(RunRecord::runName, Function.identity()));
        assertEquals(RunStatus.FINISHED, runs.get("glow-seed0").status());
        RunRecord parent = runs.get("broken-report");
        assertEquals(RunStatus.FAILED, parent.status());
        assertTrue(parent.endTime() != null);
        try (RunLock lock = RunLock.acquire(local.runDir(parent.runId()), parent.runId())) {
            assertTrue(lock != null, "the parent's lock is released");
        }
    }
}
