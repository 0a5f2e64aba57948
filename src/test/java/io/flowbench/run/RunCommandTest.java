package io.flowbench.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.inject.Guice;
import com.oracle.labs.mlrg.olcut.config.json.JsonProvenanceSerialization;
import com.oracle.labs.mlrg.olcut.provenance.ObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.HashProvenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.LongProvenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.StringProvenance;
import io.flowbench.cli.FlowbenchCli;
import io.flowbench.config.ConfigModule;
import io.flowbench.config.Experiment;
import io.flowbench.data.DataModule;
import io.flowbench.data.DatasetRegistry;
import io.flowbench.data.ImageDataSourceProvenance;
import io.flowbench.data.ImageDataset;
import io.flowbench.data.TestData;
import io.flowbench.model.FlowModel;
import io.flowbench.tracking.LocalStore;
import io.flowbench.tracking.MetricPoint;
import io.flowbench.tracking.MlflowTags;
import io.flowbench.tracking.RunRecord;
import io.flowbench.tracking.RunStatus;
import io.flowbench.train.Checkpoint;
import io.flowbench.train.PolyakAverage;
import io.flowbench.util.AtomicFiles;
import io.flowbench.util.ConfigProvenance;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * {@code flowbench run} end to end on a small synthetic Fashion-MNIST:
 * runs tracked in an MLflow file store, a diverging run FAILED without stopping the others, and a
 * resumed run continuing from its checkpoint.
 */
class RunCommandTest {
    @TempDir
    Path dir;

    private Path experiment(String variants, int steps) throws Exception {
        Path conf = dir.resolve("exp.conf");
        Files.writeString(conf, """
                experiment {
                  name = tiny
                  %s
                  model { levels = 2, depth = 1, hidden = 8 }
                  training { batch-size = 16, steps = %d, warmup-steps = 5, ema-decay = 0.9, log-every-steps = 5 }
                  evaluation { every-steps = 10, test-examples = 30, batch-size = 30, samples = 4 }
                  checkpoint.every-steps = 10
                  tracking.uri = "%s"
                  variants = [ %s ]
                }
                """.formatted(TestData.fashionMnistBlock(dir.resolve("data"), 256, 60), steps,
                dir.resolve("mlruns").toString().replace("\\", "/"), variants));
        return conf;
    }

    /**
     * The whole test split's bits/dim under the averaged weights of the first run's checkpoint, computed apart
     * from the training loop: the run's model rebuilt from the experiment, the checkpoint restored into it.
     */
    private static double evaluateCheckpoint(Path conf, Path checkpoint) throws Exception {
        RunPlan run = Guice.createInjector(new DataModule(), new ConfigModule()).getInstance(ExperimentPlanner.class)
                .plan(Experiment.load(conf, List.of())).runs().get(0);
        RunSettings s = run.settings();
        FlowModel model = FlowModel.build(run.model(), DataType.FLOAT, run.seed());
        PolyakAverage average = new PolyakAverage(model, s.emaDecay());
        Checkpoint.open(checkpoint).restoreInto(s.trainer(model), average);
        ImageDataset test = DatasetRegistry.standard().load(run.data()).test();
        Evaluator evaluator = new Evaluator(test, s.evalBatchSize(), s.evalNoiseSeed());
        return average.withAveragedWeights(() -> evaluator.evaluate(model)).bitsPerDim();
    }

    private static Map<String, RunRecord> runsByName(LocalStore store, String experimentId) {
        return store.runs(experimentId).stream().collect(Collectors.toMap(RunRecord::runName, Function.identity()));
    }

    @Test
    void runsAreTrackedAndADivergingRunFailsAloneWithItsStep() throws Exception {
        Path conf = experiment("""
                { name = glow, model.kind = glow }
                { name = exploding, model.kind = dlf, training { lr = 1e9, lr-min = 1e9, warmup-steps = 0 } }
                """, 20);
        int code = FlowbenchCli.run("run", conf.toString());
        assertEquals(1, code, "one run failed, so the command fails");

        LocalStore store = new LocalStore(dir.resolve("mlruns"));
        String expId = store.experimentByName("tiny").orElseThrow().id();
        Map<String, RunRecord> runs = runsByName(store, expId);
        RunRecord parent = runs.get("tiny");
        RunRecord glow = runs.get("glow-seed0");
        RunRecord exploding = runs.get("exploding-seed0");
        assertEquals(RunStatus.FINISHED, parent.status());
        assertEquals(parent.runId(), glow.tags().get(MlflowTags.PARENT_RUN_ID));
        assertEquals(RunStatus.FINISHED, glow.status());
        assertEquals("glow", glow.tags().get("flowbench.model_kind"));
        assertTrue(glow.tags().get("flowbench.dataset_hash").matches("[0-9a-f]{64}"));
        assertEquals("1", glow.params().get("model.depth"), "params are the resolved config");
        assertEquals("256", glow.params().get("data.train.examples"));
        List<MetricPoint> train = store.metricHistory(glow.runId(), "train_bpd");
        assertEquals(List.of(5L, 10L, 15L, 20L), train.stream().map(MetricPoint::step).toList());
        assertEquals(List.of(10L, 20L), store.metricHistory(glow.runId(), "test_bpd").stream().map(MetricPoint::step).toList());
        double finalBpd = store.metricHistory(glow.runId(), "final_test_bpd").get(0).value();
        assertEquals(evaluateCheckpoint(conf, store.artifactFile(glow.runId(), "checkpoint/last.zip")), finalBpd, 0.0,
                "the final test bits/dim is the averaged weights' on the whole test split");
        Map<String, Long> artifacts = store.artifacts(glow.runId());
        assertTrue(artifacts.containsKey("samples/step-0000010.png") && artifacts.containsKey("checkpoint/last.zip")
                && artifacts.containsKey("config/resolved.conf") && artifacts.containsKey("provenance.json"),
                artifacts.keySet().toString());
        ObjectProvenance read = new JsonProvenanceSerialization(true).deserializeAndUnmarshal(
                Files.readString(store.artifactFile(glow.runId(), RunKeys.Artifact.PROVENANCE)));
        RunProvenance provenance = assertInstanceOf(RunProvenance.class, read, "OLCUT reads back the run's provenance");
        assertEquals("glow", ((StringProvenance) provenance.get(RunProvenance.VARIANT)).getValue());
        assertEquals(glow.tags().get(RunKeys.Tag.DATASET_HASH), ((HashProvenance) ((ImageDataSourceProvenance)
                provenance.get(RunProvenance.TRAIN)).get(ImageDataSourceProvenance.CONTENT_HASH)).getValue());
        assertEquals(1L, ((LongProvenance) ((ConfigProvenance) provenance.get(RunProvenance.MODEL)).get("depth")).getValue());
        assertEquals(glow.params().get(RunKeys.Param.PARAMETER_COUNT),
                ((LongProvenance) provenance.get(RunProvenance.PARAMETERS)).getValue().toString());

        assertEquals(RunStatus.FAILED, exploding.status());
        String failure = exploding.tags().get(RunKeys.Tag.FAILURE);
        assertTrue(failure.startsWith("non-finite"), failure);
        assertTrue(exploding.tags().get("flowbench.failure").contains("at step"), failure);
        assertFalse(store.metricHistory(exploding.runId(), "failed_step").isEmpty());
        assertTrue(store.artifacts(parent.runId()).containsKey("summary.md"));
    }

    @Test
    void resumedRunContinuesFromItsCheckpointToTheNewBudget() throws Exception {
        Path conf = experiment("{ name = dlf, model.kind = dlf }", 10);
        assertEquals(0, FlowbenchCli.run("run", conf.toString()));
        LocalStore store = new LocalStore(dir.resolve("mlruns"));
        String expId = store.experimentByName("tiny").orElseThrow().id();
        RunRecord run = runsByName(store, expId).get("dlf-seed0");
        List<MetricPoint> before = store.metricHistory(run.runId(), "train_bpd");

        assertEquals(0, FlowbenchCli.run("run", conf.toString(), "--set", "experiment.training.steps=20",
                "--resume", run.runId()));
        List<MetricPoint> after = store.metricHistory(run.runId(), "train_bpd");
        assertEquals(List.of(5L, 10L, 15L, 20L), after.stream().map(MetricPoint::step).toList(),
                "the curve continues at step 15 as if never interrupted");
        assertEquals(before.get(1).value(), after.get(1).value(), 0.0, "history kept");
        assertEquals(RunStatus.FINISHED, store.run(run.runId()).status());
    }

    /**
     * An experiment continued by its parent run: each run resumes to the new budget on its own curve, a run the
     * parent lacks is started under it, a finished run with its budget spent is left as it is, and a resume whose
     * settings changed is refused before anything changes.
     */
    @Test
    void anExperimentContinuedByItsParentTrainsWhatIsLeftUnderTheSameParent() throws Exception {
        Path conf = experiment("{ name = a, model.kind = glow }, { name = b, model.kind = dlf }", 10);
        assertEquals(0, FlowbenchCli.run("run", conf.toString()));
        LocalStore store = new LocalStore(dir.resolve("mlruns"));
        String expId = store.experimentByName("tiny").orElseThrow().id();
        Map<String, RunRecord> runs = runsByName(store, expId);
        String parent = runs.get("tiny").runId();
        List<MetricPoint> a10 = store.metricHistory(runs.get("a-seed0").runId(), "train_bpd");

        assertEquals(2, FlowbenchCli.run("run", conf.toString(), "--set", "experiment.training.steps=20",
                "--set", "experiment.model.hidden=16", "--resume", parent));
        assertEquals(a10, store.metricHistory(runs.get("a-seed0").runId(), "train_bpd"), "refused: nothing changed");
        assertEquals(RunStatus.FINISHED, store.run(parent).status());

        assertEquals(0, FlowbenchCli.run("run", conf.toString(), "--set", "experiment.training.steps=20", "--resume", parent));
        for (String name : List.of("a-seed0", "b-seed0")) {
            assertEquals(List.of(5L, 10L, 15L, 20L), store.metricHistory(runs.get(name).runId(), "train_bpd").stream()
                    .map(MetricPoint::step).toList(), name);
            assertEquals(RunStatus.FINISHED, store.run(runs.get(name).runId()).status());
        }
        assertEquals(a10.get(1).value(), store.metricHistory(runs.get("a-seed0").runId(), "train_bpd").get(1).value(), 0.0);
        assertEquals(RunStatus.FINISHED, store.run(parent).status());
        assertEquals(3, store.runs(expId).size(), "no new runs");

        // A run the parent lacks (as if never started): resuming another run does not close the parent without it.
        AtomicFiles.deleteTree(store.runDir(runs.get("b-seed0").runId()));
        assertEquals(0, FlowbenchCli.run("run", conf.toString(), "--set", "experiment.training.steps=25",
                "--resume", runs.get("a-seed0").runId()));
        assertEquals(25L, last(store, runs.get("a-seed0").runId()));
        long parentEnd = store.run(parent).endTime();
        assertEquals(0, FlowbenchCli.run("run", conf.toString(), "--set", "experiment.training.steps=25", "--resume", parent));
        RunRecord b = runsByName(store, expId).get("b-seed0");
        assertEquals(parent, b.parentRunId().orElseThrow());
        assertEquals(List.of(5L, 10L, 15L, 20L, 25L), store.metricHistory(b.runId(), "train_bpd").stream()
                .map(MetricPoint::step).toList(), "started anew");
        assertEquals(25L, last(store, runs.get("a-seed0").runId()), "a's budget was spent: left as it was");
        assertEquals(RunStatus.FINISHED, store.run(parent).status());
        assertTrue(store.run(parent).endTime() >= parentEnd);
    }

    private static long last(LocalStore store, String runId) {
        List<MetricPoint> curve = store.metricHistory(runId, "train_bpd");
        return curve.get(curve.size() - 1).step();
    }

    @Test
    void dryRunPrintsEveryRunAndTrainsNothing() throws Exception {
        Path conf = experiment("{ name = a, model.kind = glow }, { name = b, model.kind = dlf }", 10);
        assertEquals(0, FlowbenchCli.run("run", conf.toString(), "--dry-run", "--set", "experiment.seeds=[1,2]"));
        assertFalse(Files.exists(dir.resolve("mlruns")), "a dry run writes no runs");
    }

    @Test
    void aWarmupLongerThanTheRunIsRefusedBeforeAnyTraining() throws Exception {
        Path conf = experiment("{ name = lc, model { factor-out-policy = likelihood-contribution, factor-out-warmup-steps = 50 } }", 10);
        assertEquals(2, FlowbenchCli.run("run", conf.toString()));
        assertFalse(Files.exists(dir.resolve("mlruns")), "nothing trained, nothing recorded");
    }

    @Test
    void resumingWithAnotherFactorOutPolicyIsRefused() throws Exception {
        Path conf = experiment("{ name = g, model { kind = glow, factor-out-policy = likelihood-contribution, "
                + "factor-out-warmup-steps = 5 } }", 10);
        assertEquals(0, FlowbenchCli.run("run", conf.toString()));
        LocalStore store = new LocalStore(dir.resolve("mlruns"));
        RunRecord run = runsByName(store, store.experimentByName("tiny").orElseThrow().id()).get("g-seed0");
        assertEquals("likelihood-contribution", run.params().get("model.factor-out-policy"));
        assertTrue(run.params().get("factor-out-mask.level0").matches("[0-9a-f]{64}"), run.params().toString());
        assertTrue(store.artifacts(run.runId()).containsKey("factor-out/mask-level0.png"));
        List<MetricPoint> before = store.metricHistory(run.runId(), "train_bpd");

        experiment("{ name = g, model { kind = glow, factor-out-policy = random } }", 10);
        assertEquals(2, FlowbenchCli.run("run", conf.toString(), "--set", "experiment.training.steps=20",
                "--resume", run.runId()));
        assertEquals(before, store.metricHistory(run.runId(), "train_bpd"), "the recorded run is untouched");
        assertEquals(RunStatus.FINISHED, store.run(run.runId()).status());
    }

    /**
     * factor-out-after-warmup = restart end to end: the choice is a param, the run keeps one curve whose steps
     * run on through the restart, a resume that switches the choice is refused naming it, and a run resumed
     * from its checkpoint after the restart draws the curve of a run never interrupted.
     */
    @Test
    void aRestartingRunResumesExactlyAndRefusesASwitch() throws Exception {
        String restart = "{ name = lc, model { kind = glow, factor-out-policy = likelihood-contribution, "
                + "factor-out-warmup-steps = 5, factor-out-after-warmup = restart } }";
        Path conf = experiment(restart, 10);
        assertEquals(0, FlowbenchCli.run("run", conf.toString()));
        LocalStore store = new LocalStore(dir.resolve("mlruns"));
        String expId = store.experimentByName("tiny").orElseThrow().id();
        RunRecord run = runsByName(store, expId).get("lc-seed0");
        assertEquals("restart", run.params().get("model.factor-out-after-warmup"));
        assertTrue(run.params().get("factor-out-mask.level0").matches("[0-9a-f]{64}"), run.params().toString());
        List<MetricPoint> before = store.metricHistory(run.runId(), "train_bpd");
        assertEquals(List.of(5L, 10L), before.stream().map(MetricPoint::step).toList());
        List<MetricPoint> lr = store.metricHistory(run.runId(), "lr");
        assertEquals(lr.get(0).value(), lr.get(1).value(), 0.0, "step 10 is the 5th after the restart: the 5th step's rate");

        experiment(restart.replace("= restart", "= continue"), 10);
        StringWriter err = new StringWriter();
        assertEquals(2, FlowbenchCli.run(new PrintWriter(new StringWriter()), new PrintWriter(err), "run", conf.toString(),
                "--set", "experiment.training.steps=20", "--resume", run.runId()));
        assertTrue(err.toString().contains("(order highest, 5 warm-up steps, then restart), the experiment now says "
                + "model.factor-out-policy = likelihood-contribution (order highest, 5 warm-up steps, then continue)")
                && err.toString().contains("-after-warmup"), err.toString());
        assertEquals(1, err.toString().strip().lines().count(), "one line, no stack trace: " + err);
        assertEquals(before, store.metricHistory(run.runId(), "train_bpd"), "the refused resume left the run as it was");

        experiment(restart, 10);
        assertEquals(0, FlowbenchCli.run("run", conf.toString(), "--set", "experiment.training.steps=20",
                "--resume", run.runId()));
        assertEquals(0, FlowbenchCli.run("run", conf.toString(), "--set", "experiment.training.steps=20"));
        RunRecord straight = store.runs(expId).stream()
                .filter(r -> r.runName().equals("lc-seed0") && !r.runId().equals(run.runId())).findFirst().orElseThrow();
        for (String metric : List.of("train_bpd", "test_bpd")) {
            List<MetricPoint> resumed = store.metricHistory(run.runId(), metric);
            List<MetricPoint> expected = store.metricHistory(straight.runId(), metric);
            assertEquals(expected.stream().map(MetricPoint::step).toList(), resumed.stream().map(MetricPoint::step).toList(),
                    metric + ": each step once, in order");
            assertEquals(expected.stream().map(MetricPoint::value).toList(), resumed.stream().map(MetricPoint::value).toList(),
                    metric + ": resumed after the restart as if never interrupted");
        }
        assertEquals(List.of(5L, 10L, 15L, 20L), store.metricHistory(run.runId(), "train_bpd").stream()
                .map(MetricPoint::step).toList());
        List<MetricPoint> finals = store.metricHistory(run.runId(), "final_test_bpd");
        assertEquals(store.metricHistory(straight.runId(), "final_test_bpd").get(0).value(),
                finals.get(finals.size() - 1).value(), 0.0, "the same final score (each finished invocation logs its own)");
    }
}
