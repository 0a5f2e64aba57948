package io.flowbench.run;

import com.google.inject.Inject;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.flowbench.data.Batch;
import io.flowbench.data.BatchIterator;
import io.flowbench.data.DatasetSplits;
import io.flowbench.model.Dequantizer;
import io.flowbench.model.FlowModel;
import io.flowbench.reference.LikelihoodReference;
import io.flowbench.train.Checkpoint;
import io.flowbench.train.FlowTrainer;
import io.flowbench.train.NonFiniteLossException;
import io.flowbench.train.PolyakAverage;
import io.flowbench.tracking.MetricPoint;
import io.flowbench.tracking.RunRecord;
import io.flowbench.tracking.RunStatus;
import io.flowbench.tracking.TrackedRun;
import io.flowbench.tracking.Tracker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Trains one run of an experiment to its budget: logs the run's inputs, trains step by step while
 * {@link TrainingListener}s (one concern each: training metrics, progress, evaluation schedule, evaluation
 * metrics, samples, checkpoints, factor-out masks, the linear probe) log, evaluate and checkpoint, and ends
 * the run FINISHED, FAILED (with the step) on a non-finite loss or an error, or KILLED (checkpointed at the
 * step reached) when a stop is requested. A run is locked ({@link RunLock})
 * while it trains. A resume checks everything it can (lock, checkpoint, settings, data, model) before
 * the recorded run is reopened, so a refused resume leaves the record exactly as it was.
 */
public final class RunExecutor {
    static final String CHECKPOINT = "flowbench-checkpoints/last.zip";

    private final Tracker tracker;
    private final DatasetCache datasets;
    private final Progress progress;
    private final StopRequest stop;

    @Inject
    public RunExecutor(Tracker tracker, DatasetCache datasets, Progress progress, StopRequest stop) {
        this.tracker = tracker;
        this.datasets = datasets;
        this.progress = progress;
        this.stop = stop;
    }

    /** Path of a run's last checkpoint in the local store (a folder MLflow ignores). */
    Path checkpointOf(String runId) {
        return tracker.localStore().runDir(runId).resolve(CHECKPOINT);
    }

    /** The tags a run of this plan is created with: {@code tags} and what identifies the run. */
    public static Map<String, String> runTags(RunPlan plan, Map<String, String> tags) {
        Map<String, String> runTags = new LinkedHashMap<>(tags);
        runTags.put(RunKeys.Tag.VARIANT, plan.variant());
        runTags.put(RunKeys.Tag.SEED, Long.toString(plan.seed()));
        runTags.put(RunKeys.Tag.MODEL_KIND, plan.model().step().kind());
        runTags.put(RunKeys.Tag.DATASET, plan.data().dataset());
        return runTags;
    }

    /** Trains a new run, logged under {@code parentRunId}. */
    public RunOutcome start(RunPlan plan, String experimentId, String parentRunId, Map<String, String> tags) {
        TrackedRun run = tracker.startRun(experimentId, plan.runName(), runTags(plan, tags), parentRunId);
        stop.opened(run);
        try (RunLock lock = RunLock.acquire(tracker.localStore().runDir(run.id()), run.id()); TrackedRun ended = run) {
            return fromFirstStep(plan, run, MetricLog.empty(run));
        }
    }

    private RunOutcome fromFirstStep(RunPlan plan, TrackedRun run, MetricLog metrics) {
        Training training;
        try {
            training = prepare(plan);
            logRunInputs(plan, run, training.splits(), training.model());
        } catch (IOException | RuntimeException e) {
            return failed(plan, run, e, 0, 0);
        }
        return train(plan, run, metrics, training, new TrainingWindow());
    }

    /**
     * Continues a run from its last checkpoint, logging into the same tracked run; empty when the run is
     * FINISHED and its budget is spent (nothing is changed then). Refused ({@link RunRefusedException})
     * when the run is being trained elsewhere, its checkpoint is missing or corrupt, its settings changed
     * other than its budget, or the budget is below what it trained.
     */
    public Optional<RunOutcome> resume(RunPlan plan, RunRecord record) {
        String runId = record.runId();
        Path file = checkpointOf(runId);
        try (RunLock lock = RunLock.acquire(tracker.localStore().runDir(runId), runId)) {
            if (!Files.isRegularFile(file)) {
                throw new RunRefusedException("run " + runId + " has no checkpoint at " + file
                        + " (stopped before its first checkpoint): run the experiment again");
            }
            Checkpoint checkpoint = open(file);
            TrainingWindow window = TrainingWindow.of(checkpoint.metadata());
            SettingChanges changes = checkSettings(plan, runId, checkpoint, window);
            RunSettings s = plan.settings();
            if (record.status() == RunStatus.FINISHED && budgetSpent(s, checkpoint.steps(), window.trainSeconds())) {
                progress.message(String.format("%s: FINISHED at step %d, nothing left to do; raise"
                        + " experiment.training.steps with --set to train further", plan.runName(), checkpoint.steps()));
                return Optional.empty();
            }
            Training training;
            try {
                training = prepare(plan);
                checkpoint.restoreInto(training.trainer(), training.average());
            } catch (IOException e) {
                throw new RunRefusedException("cannot resume run " + runId + ": " + e.getMessage(), e);
            }
            TrackedRun run = tracker.resumeRun(runId);
            stop.opened(run);
            try (TrackedRun ended = run) {
                changes.budgets().forEach((key, value) -> run.setTag(SettingChanges.BUDGET_TAGS.get(key), value));
                MetricLog metrics = MetricLog.continuing(run, tracker.localStore());
                long logged = metrics.lastStep(RunKeys.Metric.TRAIN_BPD);
                progress.message(run.name() + ": resumed at step " + checkpoint.steps() + " (checkpoint); "
                        + Math.max(0, logged - checkpoint.steps()) + " steps logged after it are redone without logging twice"
                        + (changes.budgets().isEmpty() ? "" : "; new budget: " + changes.budgets()));
                return Optional.of(train(plan, run, metrics, training, window));
            }
        }
    }

    /**
     * Refuses ({@link RunRefusedException}), changing nothing, a run that {@link #continueRun} could not resume
     * from its checkpoint with these settings: its checkpoint is corrupt, or its settings changed other than its
     * budget, or the budget is below what it trained.
     */
    public void checkResumable(RunPlan plan, RunRecord record) {
        Path file = checkpointOf(record.runId());
        if (Files.isRegularFile(file)) {
            Checkpoint checkpoint = open(file);
            checkSettings(plan, record.runId(), checkpoint, TrainingWindow.of(checkpoint.metadata()));
        }
    }

    /**
     * Trains a run already recorded in the local store (a cluster task, maybe run again after its executor
     * died; a run of an experiment continued as a whole): from its last checkpoint when it has one, else from
     * its first step. Either way a metric step the store already holds is not logged again, so the run's record
     * has each step once. A FINISHED run is returned as it is when its budget is spent or it has no checkpoint.
     */
    public RunOutcome continueRun(RunPlan plan, RunRecord record) {
        if (Files.isRegularFile(checkpointOf(record.runId()))) {
            return resume(plan, record).orElseGet(() -> recorded(plan, record));
        }
        if (record.status() == RunStatus.FINISHED) {
            return recorded(plan, record);
        }
        TrackedRun run = tracker.resumeRun(record.runId());
        stop.opened(run);
        try (RunLock lock = RunLock.acquire(tracker.localStore().runDir(run.id()), run.id()); TrackedRun ended = run) {
            return fromFirstStep(plan, run, MetricLog.continuing(run, tracker.localStore()));
        }
    }

    /** The outcome of a FINISHED run as its record says. */
    private RunOutcome recorded(RunPlan plan, RunRecord record) {
        Map<String, Double> last = new LinkedHashMap<>();
        for (String key : List.of(RunKeys.Metric.IMAGES_SEEN, RunKeys.Metric.TRAIN_TIME_SEC, RunKeys.Metric.FINAL_TEST_BPD)) {
            List<MetricPoint> history = tracker.localStore().metricHistory(record.runId(), key);
            last.put(key, history.isEmpty() ? Double.NaN : history.get(history.size() - 1).value());
        }
        long images = (long) last.get(RunKeys.Metric.IMAGES_SEEN).doubleValue();
        return new RunOutcome(plan, record.runId(), RunStatus.FINISHED, images / plan.settings().batchSize(), images,
                last.get(RunKeys.Metric.TRAIN_TIME_SEC), last.get(RunKeys.Metric.FINAL_TEST_BPD), null);
    }

    /** The budget changes of a resume; refused for any other change, or a budget below what the run trained. */
    private static SettingChanges checkSettings(RunPlan plan, String runId, Checkpoint checkpoint, TrainingWindow window) {
        SettingChanges changes = SettingChanges.between(recordedConfig(checkpoint), plan.config());
        if (!changes.refused().isEmpty()) {
            throw new RunRefusedException("cannot resume run " + runId + ": settings differ from those it was"
                    + " trained with: " + String.join("; ", changes.refused()) + ". Resume with the same"
                    + " settings (only training.steps and training.wall-minutes may change), or start a new run");
        }
        RunSettings s = plan.settings();
        if (s.steps() > 0 && s.steps() < checkpoint.steps()
                || s.wallMinutes() > 0 && s.wallMinutes() * 60 < window.trainSeconds()) {
            throw new RunRefusedException("cannot resume run " + runId + " with a budget of " + s.steps() + " steps / "
                    + s.wallMinutes() + " min: it already trained " + checkpoint.steps() + " steps in "
                    + Progress.duration(window.trainSeconds()) + "; set a budget of at least that much");
        }
        return changes;
    }

    private static Checkpoint open(Path file) {
        try {
            return Checkpoint.open(file);
        } catch (IOException e) {
            throw new RunRefusedException(e.getMessage() + "; the run is left as it was. Replace the file with a"
                    + " good copy (a finished run keeps one in its artifacts, checkpoint/last.zip), or start the run"
                    + " again", e);
        }
    }

    private static Config recordedConfig(Checkpoint checkpoint) {
        String json = checkpoint.metadata().get(CheckpointSchedule.CONFIG);
        if (json == null) {
            throw new RunRefusedException("checkpoint " + checkpoint.file() + " does not record the run's settings"
                    + " (written by an older flowbench): start the run again");
        }
        return ConfigFactory.parseString(json);
    }

    private Training prepare(RunPlan plan) throws IOException {
        RunSettings s = plan.settings();
        DatasetSplits splits = datasets.load(plan.data());
        FlowModel model = FlowModel.build(plan.model(), DataType.FLOAT, plan.seed());
        FlowTrainer trainer = s.trainer(model);
        return new Training(splits, model, trainer, s.emaDecay() > 0 ? new PolyakAverage(model, s.emaDecay()) : null);
    }

    private RunOutcome train(RunPlan plan, TrackedRun run, MetricLog metrics, Training training, TrainingWindow window) {
        run.setTag(RunKeys.Tag.NATIVE_THREADS, Integer.toString(NativeThreads.current()));
        try {
            return loop(plan, run, metrics, training, window);
        } catch (NonFiniteLossException e) {
            run.setTag(RunKeys.Tag.FAILURE, e.getMessage());
            metrics.log(Map.of(RunKeys.Metric.FAILED_STEP, (double) e.step()), e.step());
            run.end(RunStatus.FAILED);
            progress.message(run.name() + ": FAILED: " + e.getMessage());
            return new RunOutcome(plan, run.id(), RunStatus.FAILED, e.step() - 1, (e.step() - 1) * plan.settings().batchSize(),
                    window.trainSeconds(), Double.NaN, e.getMessage());
        } catch (IOException | RuntimeException e) {
            return failed(plan, run, e, training.trainer().steps(), window.trainSeconds());
        }
    }

    private RunOutcome failed(RunPlan plan, TrackedRun run, Exception e, long steps, double trainSeconds) {
        String why = e.getClass().getSimpleName() + ": " + e.getMessage();
        run.setTag(RunKeys.Tag.FAILURE, why);
        run.end(RunStatus.FAILED);
        progress.message(run.name() + ": FAILED: " + why);
        return new RunOutcome(plan, run.id(), RunStatus.FAILED, steps, steps * plan.settings().batchSize(), trainSeconds,
                Double.NaN, why);
    }

    private void logRunInputs(RunPlan plan, TrackedRun run, DatasetSplits splits, FlowModel model) throws IOException {
        // The data block is logged by the dataset (data.*: every option plus each split's provenance).
        run.logParams(plan.config().withoutPath("data").root().unwrapped());
        run.logParams(splits.params());
        run.logParam(RunKeys.Param.PARAMETER_COUNT, model.parameterCount());
        run.logParam(RunKeys.Param.MODEL_DESCRIPTION, plan.model().step().describe());
        run.setTag(RunKeys.Tag.DATASET_HASH, splits.train().provenance().contentSha256());
        datasets.likelihoodReference(splits, plan.model().nBits()).ifPresent(ref -> run.logParams(referenceParams(ref)));
        run.logText(ExperimentPlan.render(plan), RunKeys.Artifact.RESOLVED_CONF);
        run.logText(new RunProvenance(plan, splits, model.parameterCount()).toJson(), RunKeys.Artifact.PROVENANCE);
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

    /**
     * Trains step by step until the budget is spent or a stop is requested, telling the listeners; what is logged,
     * evaluated, sampled and checkpointed, and when, is theirs to decide.
     */
    private RunOutcome loop(RunPlan plan, TrackedRun run, MetricLog metrics, Training training, TrainingWindow window)
            throws IOException {
        RunSettings s = plan.settings();
        FlowModel model = training.model();
        FlowTrainer trainer = training.trainer();
        TrainingListeners listeners = new TrainingListeners();
        EvaluationSchedule evaluations = new EvaluationSchedule(s, training, metrics, listeners);
        listeners.add(new TrainingMetricsLog(metrics, s, trainer))
                .add(new ProgressReport(progress, run.name(), s))
                .add(evaluations)
                .add(new EvaluationMetricsLog(metrics, window, s.batchSize()))
                .add(new SampleLog(plan, run, training))
                .add(new CheckpointSchedule(plan, run, training, window, checkpointOf(run.id())))
                .add(new FactorOutMaskLog(run, model))
                .add(new LatentProbe(plan, run, metrics, training, datasets, progress));
        Dequantizer dequantizer = new Dequantizer(plan.model().nBits());
        boolean conditional = plan.model().conditional();
        try (BatchIterator batches = BatchIterator.over(training.splits().train()).batchSize(s.batchSize())
                .seed(plan.seed()).hflip(training.splits().hflip()).startStep(trainer.steps()).build()) {
            while (!budgetSpent(s, trainer.steps(), window.trainSeconds())) {
                if (stop.requested()) {
                    listeners.onStop(trainer.steps());
                    return stopped(plan, run, trainer.steps(), window);
                }
                long t0 = System.nanoTime();
                double loss;
                try (Batch batch = batches.next()) {
                    long step = trainer.steps() + 1;
                    INDArray x = dequantizer.dequantize(batch.images(), noise(plan.seed(), step), DataType.FLOAT);
                    INDArray labels = conditional ? batch.oneHot() : null;
                    loss = training.step(x, labels);
                }
                window.add(loss, (System.nanoTime() - t0) / 1e9);
                long step = trainer.steps();
                if (step % s.logEverySteps() == 0) {
                    listeners.onWindow(window.close(step));
                }
                listeners.onStep(step);
            }
        }
        long steps = trainer.steps();
        listeners.onFinish(steps);
        run.end(RunStatus.FINISHED);
        TrainingListener.Evaluation last = evaluations.last();
        progress.message(String.format("%s: finished, %d steps, final test %.4f bits/dim (%d images, %s of training)",
                run.name(), steps, last.bitsPerDim(), last.examples(), Progress.duration(window.trainSeconds())));
        return new RunOutcome(plan, run.id(), RunStatus.FINISHED, steps, steps * s.batchSize(), window.trainSeconds(),
                last.bitsPerDim(), null);
    }

    /** A stop was requested (the listeners have checkpointed): end the run KILLED. */
    private RunOutcome stopped(RunPlan plan, TrackedRun run, long steps, TrainingWindow window) {
        run.setTag(RunKeys.Tag.KILLED_AT_STEP, Long.toString(steps));
        run.end(RunStatus.KILLED);
        String why = "stopped by a signal at step " + steps + (steps > 0 ? ", checkpointed" : ", before any step");
        progress.message(run.name() + ": KILLED: " + why);
        return new RunOutcome(plan, run.id(), RunStatus.KILLED, steps, steps * plan.settings().batchSize(),
                window.trainSeconds(), Double.NaN, why);
    }

    private static boolean budgetSpent(RunSettings s, long steps, double trainSeconds) {
        return (s.steps() > 0 && steps >= s.steps()) || (s.wallMinutes() > 0 && trainSeconds >= s.wallMinutes() * 60);
    }

    /** Dequantization noise of a training step: a function of (seed, step), so a resumed run sees the same. */
    private static SplittableRandom noise(long seed, long step) {
        return new SplittableRandom(seed * 0x9E3779B97F4A7C15L + step);
    }
}
