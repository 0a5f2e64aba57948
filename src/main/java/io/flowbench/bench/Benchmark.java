package io.flowbench.bench;

import io.flowbench.model.FlowModel;
import io.flowbench.run.NativeMemoryGuard;
import io.flowbench.run.RunPlan;
import io.flowbench.run.RunSettings;
import io.flowbench.train.FlowTrainer;
import io.flowbench.verify.ModelVerifier;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Measures one model of an experiment (a {@link RunPlan}) as a run would use it: training steps at the
 * run's batch size and optimizer, evaluation (bits/dim, forward only) at the evaluation batch size,
 * sampling of the evaluation's sample count at its temperature. Inputs are random dequantized-range
 * images (no dataset is read: speed does not depend on pixel values).
 */
public final class Benchmark {
    /** Distinct input batches cycled through, so no step sees the very same array twice in a row. */
    private static final int INPUT_BATCHES = 4;

    private Benchmark() {
    }

    /** @param peak the machine's measured peak, which the achieved GFLOP/s are set against */
    public static BenchResult run(String preset, RunPlan plan, BenchOptions options, FmaPeak peak,
                                  Consumer<String> progress) {
        RunSettings s = plan.settings();
        FlopCount flops = FlopCount.of(plan.model());
        FlopCount evaluationFlops = FlopCount.of(plan.model().withStep(plan.model().step().forEvaluation()));
        Machine machine = Machine.now(peak);
        try (MemoryMeter meter = new MemoryMeter();
             NativeMemoryGuard guard = options.memoryGuard() ? NativeMemoryGuard.start(1) : null) {
            long t0 = System.nanoTime();
            FlowModel model = FlowModel.build(plan.model(), DataType.FLOAT, plan.seed());
            FlowTrainer trainer = s.trainer(model);
            double buildSeconds = seconds(t0);

            List<INDArray> inputs = new ArrayList<>();
            for (int i = 0; i < INPUT_BATCHES; i++) {
                inputs.add(ModelVerifier.randomInput(model, s.batchSize(), plan.seed() + i));
            }
            INDArray labels = ModelVerifier.labelsFor(model, s.batchSize());

            // Training: the first step also builds the session and runs the data-dependent initialisation.
            meter.reset();
            double[] warmup = new double[options.warmupSteps()];
            for (int i = 0; i < warmup.length; i++) {
                long t = System.nanoTime();
                trainer.step(inputs.get(i % INPUT_BATCHES), labels);
                warmup[i] = seconds(t);
                if ((i + 1) % 25 == 0) {
                    progress.accept(String.format("%s: warm-up step %d/%d, %.0f ms", plan.variant(), i + 1,
                            warmup.length, warmup[i] * 1e3));
                }
            }
            double[] timed = new double[options.steps()];
            for (int i = 0; i < timed.length; i++) {
                long t = System.nanoTime();
                trainer.step(inputs.get(i % INPUT_BATCHES), labels);
                timed[i] = seconds(t);
            }
            profile(options, model, progress, plan.variant() + " train", options.steps(),
                    i -> trainer.step(inputs.get(i % INPUT_BATCHES), labels));
            List<PhaseResult> phases = new ArrayList<>();
            double trainingFlops = plan.model().step().trainsAFixedGraph() ? flops.training(s.batchSize()) : Double.NaN;
            phases.add(PhaseResult.of("train", s.batchSize(), timed, trainingFlops, meter.peaks()));
            progress.accept(String.format("%s: training %.1f images/s", plan.variant(), phases.get(0).imagesPerSecond()));

            // Evaluation and sampling use what a run's do: the evaluation twin where the log-det is stochastic.
            FlowModel evaluated = model.forEvaluation();
            INDArray evalInput = ModelVerifier.randomInput(model, s.evalBatchSize(), plan.seed() + INPUT_BATCHES);
            INDArray evalLabels = ModelVerifier.labelsFor(model, s.evalBatchSize());
            meter.reset();
            double[] eval = repeat(options, () -> evaluated.bitsPerDim(evalInput, evalLabels));
            profile(options, evaluated, progress, plan.variant() + " evaluate", options.calls(),
                    i -> evaluated.bitsPerDim(evalInput, evalLabels));
            phases.add(PhaseResult.of("evaluate", s.evalBatchSize(), eval, evaluationFlops.forward(s.evalBatchSize()),
                    meter.peaks()));

            int samples = Math.max(1, s.samples());
            INDArray sampleLabels = ModelVerifier.labelsFor(model, samples);
            meter.reset();
            long[] seed = {plan.seed()};
            double[] sample = repeat(options, () -> evaluated.sample(samples, s.temperature(), seed[0]++, sampleLabels));
            profile(options, evaluated, progress, plan.variant() + " sample", options.calls(),
                    i -> evaluated.sample(samples, s.temperature(), seed[0]++, sampleLabels));
            double sampleFlops = plan.model().step().invertsInClosedForm() ? flops.forward(samples) : Double.NaN;
            phases.add(PhaseResult.of("sample", samples, sample, sampleFlops, meter.peaks()));

            if (guard != null) {
                progress.accept(String.format("%s: the native-memory guard collected %d times (next at %d MiB)",
                        plan.variant(), guard.collections(), guard.threshold() >> 20));
            }
            return new BenchResult(preset, plan.variant(), plan.model(), model.parameterCount(), flops, options,
                    buildSeconds, warmup.length > 0 ? warmup[0] : timed[0], warmup, phases,
                    machine.finished());
        }
    }

    private static void profile(BenchOptions options, FlowModel model, Consumer<String> progress, String what,
                                int calls, IntConsumer call) {
        if (!options.profile()) {
            return;
        }
        OpProfile profile = new OpProfile();
        model.graph().setListeners(profile);
        try {
            long t = System.nanoTime();
            for (int i = 0; i < calls; i++) {
                call.accept(i);
            }
            progress.accept("profile of " + what + " (" + calls + " calls):\n" + profile.table(calls, seconds(t), 25));
        } finally {
            model.graph().setListeners();
        }
    }

    private static double[] repeat(BenchOptions options, Runnable call) {
        for (int i = 0; i < options.warmupCalls(); i++) {
            call.run();
        }
        double[] times = new double[options.calls()];
        for (int i = 0; i < times.length; i++) {
            long t = System.nanoTime();
            call.run();
            times[i] = seconds(t);
        }
        return times;
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }
}
