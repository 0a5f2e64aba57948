package io.flowbench.run;

import com.google.inject.Inject;
import io.flowbench.data.Batch;
import io.flowbench.data.BatchIterator;
import io.flowbench.data.DatasetSplits;
import io.flowbench.data.ImageDataset;
import io.flowbench.model.Dequantizer;
import io.flowbench.model.FlowModel;
import io.flowbench.reference.LikelihoodReference;
import io.flowbench.train.Checkpoint;
import io.flowbench.train.FlowTrainer;
import io.flowbench.train.NonFiniteLossException;
import io.flowbench.train.PolyakAverage;
import io.flowbench.tracking.MetricPoint;
import io.flowbench.tracking.RunStatus;
import io.flowbench.tracking.TrackedRun;
import io.flowbench.tracking.Tracker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Trains one run of an experiment to its budget: logs parameters, metrics and artifacts to the
 * tracker, evaluates test bits/dim with the averaged weights on a schedule, writes sample grids and
 * checkpoints, and ends the run FINISHED, or FAILED (with the step) on a non-finite loss.
 */
public final class RunExecutor {
    static final String CHECKPOINT = "flowbench-checkpoints/last.zip";
    private static final String META_TRAIN_SECONDS = "train_seconds";

    private final Tracker tracker;
    private final DatasetCache datasets;
    private final Progress progress;

    @Inject
    public RunExecutor(Tracker tracker, DatasetCache datasets, Progress progress) {
        this.tracker = tracker;
        this.datasets = datasets;
        this.progress = progress;
    }

    /** Path of a run's last checkpoint in the local store (a folder MLflow ignores). */
    Path checkpointOf(String runId) {
        return tracker.localStore().runDir(runId).resolve(CHECKPOINT);
    }

    /** Trains a new run, logged under {@code parentRunId}. */
    public RunOutcome start(RunPlan plan, String experimentId, String parentRunId, Map<String, String> tags) {
        Map<String, String> runTags = new LinkedHashMap<>(tags);
        runTags.put(RunKeys.Tag.VARIANT, plan.variant());
        runTags.put(RunKeys.Tag.SEED, Long.toString(plan.seed()));
        runTags.put(RunKeys.Tag.MODEL_KIND, plan.model().step().kind());
        runTags.put(RunKeys.Tag.DATASET, plan.data().dataset());
        TrackedRun run = tracker.startRun(experimentId, plan.runName(), runTags, parentRunId);
        return train(plan, run, false);
    }

    /** Continues a run from its last checkpoint, logging into the same tracked run. */
    public RunOutcome resume(RunPlan plan, String runId) {
        if (!Files.isRegularFile(checkpointOf(runId))) {
            throw new IllegalArgumentException("run " + runId + " has no checkpoint at " + checkpointOf(runId));
        }
        return train(plan, tracker.resumeRun(runId), true);
    }

    private RunOutcome train(RunPlan plan, TrackedRun run, boolean resuming) {
        RunSettings s = plan.settings();
        FlowModel model = null;
        FlowTrainer trainer = null;
        double trainSeconds = 0;
        try {
            DatasetSplits splits = datasets.load(plan.data());
            model = FlowModel.build(plan.model(), DataType.FLOAT, plan.seed());
            trainer = new FlowTrainer(model, s.updater(), s.invConvL2());
            PolyakAverage average = s.emaDecay() > 0 ? new PolyakAverage(model, s.emaDecay()) : null;
            long loggedUpTo = 0;
            if (resuming) {
                Map<String, String> meta = Checkpoint.restore(checkpointOf(run.id()), trainer, average);
                trainSeconds = Double.parseDouble(meta.getOrDefault(META_TRAIN_SECONDS, "0"));
                loggedUpTo = lastLoggedStep(run.id());
                progress.message(run.name() + ": resumed at step " + trainer.steps() + " (checkpoint); "
                        + Math.max(0, loggedUpTo - trainer.steps()) + " steps logged after it are redone without logging twice");
            } else {
                logRunInputs(plan, run, splits, model);
            }
            return loop(plan, run, splits, model, trainer, average, trainSeconds, loggedUpTo);
        } catch (NonFiniteLossException e) {
            run.setTag(RunKeys.Tag.FAILURE, e.getMessage());
            run.logMetric(RunKeys.Metric.FAILED_STEP, e.step(), e.step());
            run.end(RunStatus.FAILED);
            progress.message(run.name() + ": FAILED: " + e.getMessage());
            return new RunOutcome(plan, run.id(), RunStatus.FAILED, e.step() - 1, (e.step() - 1) * s.batchSize(),
                    trainSeconds, Double.NaN, e.getMessage());
        } catch (IOException | RuntimeException e) {
            String why = e.getClass().getSimpleName() + ": " + e.getMessage();
            run.setTag(RunKeys.Tag.FAILURE, why);
            run.end(RunStatus.FAILED);
            progress.message(run.name() + ": FAILED: " + why);
            long steps = trainer == null ? 0 : trainer.steps();
            return new RunOutcome(plan, run.id(), RunStatus.FAILED, steps, steps * s.batchSize(), trainSeconds,
                    Double.NaN, why);
        }
    }

    private void logRunInputs(RunPlan plan, TrackedRun run, DatasetSplits splits, FlowModel model) throws IOException {
        // The data block is logged by the dataset (data.*: every option plus each split's provenance).
        run.logParams(plan.config().withoutPath("data").root().unwrapped());
        run.logParams(splits.params());
        run.logParam(RunKeys.Param.PARAMETER_COUNT, model.parameterCount());
        run.logParam(RunKeys.Param.MODEL_DESCRIPTION, plan.model().step().describe());
        run.setTag(RunKeys.Tag.DATASET_HASH, splits.train().provenance().contentSha256());
        datasets.likelihoodReference(splits, plan.model().nBits()).ifPresent(ref -> run.logParams(referenceParams(ref)));
        Path dir = Files.createTempDirectory("flowbench-run");
        Path conf = dir.resolve(RunKeys.Artifact.RESOLVED_CONF);
        Files.writeString(conf, ExperimentPlan.render(plan));
        run.logArtifact(conf, RunKeys.Artifact.CONFIG_DIR);
        Path provenance = dir.resolve(RunKeys.Artifact.PROVENANCE);
        Files.writeString(provenance, new RunProvenance(plan, splits, model.parameterCount()).toJson());
        run.logArtifact(provenance, "");
    }

    private static Map<String, Object> referenceParams(LikelihoodReference ref) {
        Map<String, Object> p = new LinkedHashMap<>();
        for (Map.Entry<String, LikelihoodReference.Figure> e : List.of(Map.entry("linear", ref.linear()),
                Map.entry("affine", ref.affine()), Map.entry("diagonal", ref.diagonal()))) {
            p.put(RunKeys.Param.reference(e.getKey(), "train"), e.getValue().trainBpd());
            p.put(RunKeys.Param.reference(e.getKey(), "test"), e.getValue().testBpd());
        }
        return p;
    }

    private RunOutcome loop(RunPlan plan, TrackedRun run, DatasetSplits splits, FlowModel model, FlowTrainer trainer,
                            PolyakAverage average, double trainSecondsBefore, long loggedUpTo) throws IOException {
        RunSettings s = plan.settings();
        Dequantizer dequantizer = new Dequantizer(plan.model().nBits());
        boolean conditional = plan.model().conditional();
        Evaluator periodic = new Evaluator(prefix(splits.test(), s.evalTestExamples()), s.evalBatchSize(), s.evalNoiseSeed());
        double trainSeconds = trainSecondsBefore;
        double lossSum = 0;
        int lossCount = 0;
        long windowStart = System.nanoTime();
        double windowSeconds = 0;
        try (BatchIterator batches = BatchIterator.over(splits.train()).batchSize(s.batchSize()).seed(plan.seed())
                .hflip(splits.hflip()).startStep(trainer.steps()).build()) {
            while (!budgetSpent(s, trainer.steps(), trainSeconds)) {
                long t0 = System.nanoTime();
                double loss;
                try (Batch batch = batches.next()) {
                    long step = trainer.steps() + 1;
                    INDArray x = dequantizer.dequantize(batch.images(), noise(plan.seed(), step), DataType.FLOAT);
                    INDArray labels = conditional ? batch.oneHot() : null;
                    if (!model.isInitialised()) {
                        model.initialise(x, labels);
                        if (average != null) {
                            average.reset();
                        }
                    }
                    loss = trainer.step(x, labels);
                }
                if (average != null) {
                    average.update();
                }
                double dt = (System.nanoTime() - t0) / 1e9;
                trainSeconds += dt;
                windowSeconds += dt;
                lossSum += loss;
                lossCount++;
                long step = trainer.steps();
                if (step % s.logEverySteps() == 0) {
                    if (step > loggedUpTo) {
                        double imagesPerSecond = lossCount * s.batchSize() / windowSeconds;
                        Map<String, Double> m = new LinkedHashMap<>();
                        m.put(RunKeys.Metric.TRAIN_BPD, lossSum / lossCount);
                        m.put(RunKeys.Metric.LR, s.schedule().valueAt((int) step - 1, 0));
                        m.put(RunKeys.Metric.IMAGES_PER_SEC, imagesPerSecond);
                        m.put(RunKeys.Metric.TRAIN_TIME_SEC, trainSeconds);
                        m.put(RunKeys.Metric.IMAGES_SEEN, (double) step * s.batchSize());
                        run.logMetrics(m, step);
                        progress.update(run.name(), step, s.steps(), imagesPerSecond, lossSum / lossCount,
                                secondsLeft(s, step, trainSeconds, windowSeconds / lossCount));
                    }
                    lossSum = 0;
                    lossCount = 0;
                    windowSeconds = 0;
                }
                if (step % s.evalEverySteps() == 0 && step > loggedUpTo) {
                    evaluate(plan, run, model, average, periodic, RunKeys.Metric.TEST_BPD, step, trainSeconds);
                }
                if (step % s.checkpointEverySteps() == 0) {
                    saveCheckpoint(run, trainer, average, trainSeconds);
                }
            }
        }
        long steps = trainer.steps();
        Evaluator full = new Evaluator(splits.test(), s.evalBatchSize(), s.evalNoiseSeed());
        double finalBpd = evaluate(plan, run, model, average, full, RunKeys.Metric.FINAL_TEST_BPD, steps, trainSeconds);
        saveCheckpoint(run, trainer, average, trainSeconds);
        run.logArtifact(checkpointOf(run.id()), RunKeys.Artifact.CHECKPOINT_DIR);
        FactorOutMaskLog.log(run, model, steps);
        run.end(RunStatus.FINISHED);
        progress.message(String.format("%s: finished, %d steps, final test %.4f bits/dim (%d images, %s of training)",
                run.name(), steps, finalBpd, full.size(), Progress.duration(trainSeconds)));
        return new RunOutcome(plan, run.id(), RunStatus.FINISHED, steps, steps * s.batchSize(), trainSeconds, finalBpd, null);
    }

    /**
     * The last step a killed run logged metrics for: steps between its last checkpoint and that one
     * are trained again (identically: batches and noise are functions of the step) but not re-logged.
     */
    private long lastLoggedStep(String runId) {
        return tracker.localStore().metricHistory(runId, RunKeys.Metric.TRAIN_BPD).stream().mapToLong(MetricPoint::step).max().orElse(0);
    }

    private static boolean budgetSpent(RunSettings s, long steps, double trainSeconds) {
        return (s.steps() > 0 && steps >= s.steps()) || (s.wallMinutes() > 0 && trainSeconds >= s.wallMinutes() * 60);
    }

    private static double secondsLeft(RunSettings s, long step, double trainSeconds, double secondsPerStep) {
        double bySteps = s.steps() > 0 ? (s.steps() - step) * secondsPerStep : Double.POSITIVE_INFINITY;
        double byWall = s.wallMinutes() > 0 ? s.wallMinutes() * 60 - trainSeconds : Double.POSITIVE_INFINITY;
        return Math.min(bySteps, byWall);
    }

    /** Dequantization noise of a training step: a function of (seed, step), so a resumed run sees the same. */
    private static SplittableRandom noise(long seed, long step) {
        return new SplittableRandom(seed * 0x9E3779B97F4A7C15L + step);
    }

    private static ImageDataset prefix(ImageDataset test, int examples) {
        if (examples == 0 || examples >= test.size()) {
            return test;
        }
        return test.select(IntStream.range(0, examples).toArray(), test.split(), "first " + examples + " for evaluation");
    }

    private double evaluate(RunPlan plan, TrackedRun run, FlowModel model, PolyakAverage average, Evaluator evaluator,
                            String metric, long step, double trainSeconds) throws IOException {
        RunSettings s = plan.settings();
        Supplier<Double> bpd = () -> evaluator.bitsPerDim(model);
        double value = average == null ? bpd.get() : average.withAveragedWeights(bpd);
        run.logMetrics(Map.of(metric, value, RunKeys.Metric.TRAIN_TIME_SEC, trainSeconds,
                RunKeys.Metric.IMAGES_SEEN, (double) step * s.batchSize()), step);
        if (s.samples() > 0) {
            INDArray labels = plan.model().conditional()
                    ? model.oneHot(IntStream.range(0, s.samples()).map(i -> i % plan.model().numClasses()).toArray())
                    : null;
            Supplier<INDArray> sample = () -> model.sample(s.samples(), s.temperature(), plan.seed(), labels);
            INDArray images = average == null ? sample.get() : average.withAveragedWeights(sample);
            Path png = Files.createTempDirectory("flowbench-samples").resolve(String.format("step-%07d.png", step));
            SampleGrid.write(images, plan.model().nBits(), png);
            run.logArtifact(png, RunKeys.Artifact.SAMPLES_DIR);
        }
        return value;
    }

    private void saveCheckpoint(TrackedRun run, FlowTrainer trainer, PolyakAverage average, double trainSeconds)
            throws IOException {
        Checkpoint.save(checkpointOf(run.id()), trainer, average, Map.of(META_TRAIN_SECONDS, Double.toString(trainSeconds)));
    }
}
