package io.flowbench.run;

import com.typesafe.config.Config;
import io.flowbench.config.ConfigError;
import io.flowbench.model.FlowModel;
import io.flowbench.train.DecaySchedule;
import io.flowbench.train.FlowTrainer;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.AdaMax;
import org.nd4j.linalg.learning.config.IUpdater;

/**
 * How a run trains, evaluates and checkpoints: the {@code training}, {@code evaluation} and
 * {@code checkpoint} blocks of an experiment, checked when the experiment is planned.
 */
public record RunSettings(int batchSize, long steps, double wallMinutes, String optimizer, double adamBeta1,
                          double adamBeta2, double lr, double lrDecay, double lrDecaySteps, double lrMin,
                          int warmupSteps, double gradClipNorm, double emaDecay, double invConvL2,
                          int logEverySteps, int evalEverySteps, int evalTestExamples, int evalBatchSize,
                          long evalNoiseSeed, int samples, double temperature, int checkpointEverySteps) {

    public static RunSettings from(Config experiment) {
        Config t = experiment.getConfig("training");
        Config e = experiment.getConfig("evaluation");
        String origin = t.origin().description();
        String optimizer = t.getString("optimizer");
        if (!optimizer.equals("adamax") && !optimizer.equals("adam")) {
            throw new ConfigError(origin, "training.optimizer", "'" + optimizer + "' is not one of adamax | adam");
        }
        RunSettings s = new RunSettings(t.getInt("batch-size"), t.getLong("steps"), t.getDouble("wall-minutes"),
                optimizer, t.getDouble("adam-beta1"), t.getDouble("adam-beta2"), t.getDouble("lr"), t.getDouble("lr-decay"),
                t.getDouble("lr-decay-steps"), t.getDouble("lr-min"), t.getInt("warmup-steps"), t.getDouble("grad-clip-norm"),
                t.getDouble("ema-decay"), t.getDouble("invconv-l2"),
                t.getInt("log-every-steps"),
                e.getInt("every-steps"), e.getInt("test-examples"), e.getInt("batch-size"), e.getLong("noise-seed"),
                e.getInt("samples"), e.getDouble("temperature"), experiment.getInt("checkpoint.every-steps"));
        s.check(origin);
        return s;
    }

    private void check(String origin) {
        require(batchSize >= 1, origin, "training.batch-size", "must be >= 1, got " + batchSize);
        require(steps > 0 || wallMinutes > 0, origin, "training.steps",
                "a run needs a budget: steps > 0 or wall-minutes > 0");
        require(steps >= 0 && wallMinutes >= 0, origin, "training.steps", "budgets must be >= 0");
        require(adamBeta1 >= 0 && adamBeta1 < 1, origin, "training.adam-beta1", "must be in [0, 1), got " + adamBeta1);
        require(adamBeta2 >= 0 && adamBeta2 < 1, origin, "training.adam-beta2", "must be in [0, 1), got " + adamBeta2);
        require(gradClipNorm >= 0, origin, "training.grad-clip-norm", "must be >= 0, got " + gradClipNorm);
        require(emaDecay >= 0 && emaDecay < 1, origin, "training.ema-decay", "must be in [0, 1), got " + emaDecay);
        require(invConvL2 >= 0, origin, "training.invconv-l2", "must be >= 0, got " + invConvL2);
        require(logEverySteps >= 1, origin, "training.log-every-steps", "must be >= 1");
        require(evalEverySteps >= 1 && evalBatchSize >= 1 && evalTestExamples >= 0, origin, "evaluation",
                "every-steps and batch-size must be >= 1, test-examples >= 0");
        require(samples >= 0 && temperature >= 0, origin, "evaluation", "samples and temperature must be >= 0");
        require(checkpointEverySteps >= 1, origin, "checkpoint.every-steps", "must be >= 1");
        try {
            schedule();
        } catch (IllegalArgumentException ex) {
            throw new ConfigError(origin, "training.lr", ex.getMessage());
        }
    }

    private static void require(boolean ok, String origin, String key, String reason) {
        if (!ok) {
            throw new ConfigError(origin, key, reason);
        }
    }

    public DecaySchedule schedule() {
        return new DecaySchedule(lr, lrDecay, lrDecaySteps, lrMin, warmupSteps);
    }

    public IUpdater updater() {
        if (optimizer.equals("adam")) {
            Adam adam = new Adam(schedule());
            adam.setBeta1(adamBeta1);
            adam.setBeta2(adamBeta2);
            return adam;
        }
        AdaMax adaMax = new AdaMax(schedule());
        adaMax.setBeta1(adamBeta1);
        adaMax.setBeta2(adamBeta2);
        return adaMax;
    }

    /** The trainer of {@code model} with these settings: optimizer, schedule, penalty and clipping. */
    public FlowTrainer trainer(FlowModel model) {
        return new FlowTrainer(model, updater(), invConvL2, gradClipNorm);
    }
}
