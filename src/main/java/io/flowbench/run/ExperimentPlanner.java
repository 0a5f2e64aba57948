package io.flowbench.run;

import com.google.inject.Inject;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.flowbench.config.ConfigError;
import io.flowbench.config.DataConfigs;
import io.flowbench.config.Experiment;
import io.flowbench.config.ModelConfigs;
import io.flowbench.flow.FactorOutPolicy;
import io.flowbench.probe.ProbeSettings;
import io.flowbench.tracking.MlflowNames;
import io.flowbench.tracking.TrackingException;
import io.flowbench.tracking.TrackingTarget;
import java.util.ArrayList;
import java.util.List;

/** Expands an experiment into its runs (variants x seeds), resolving and checking each before any work. */
public final class ExperimentPlanner {
    private final DataConfigs dataConfigs;
    private final ModelConfigs modelConfigs;

    @Inject
    public ExperimentPlanner(DataConfigs dataConfigs, ModelConfigs modelConfigs) {
        this.dataConfigs = dataConfigs;
        this.modelConfigs = modelConfigs;
    }

    public ExperimentPlan plan(Experiment experiment) {
        Config exp = experiment.resolved().getConfig("experiment");
        modelConfigs.checkBase(exp.getConfig("model"));
        try {
            MlflowNames.experimentName(experiment.name());
        } catch (IllegalArgumentException e) {
            throw new ConfigError(exp.getValue("name").origin().description(), "experiment.name", e.getMessage());
        }
        String baseline = exp.getString("report.baseline");
        if (!baseline.isEmpty() && experiment.variants().stream().noneMatch(v -> v.name().equals(baseline))) {
            throw new ConfigError(exp.getValue("report.baseline").origin().description(), "experiment.report.baseline",
                    "'" + baseline + "' is not a variant; use one of " + String.join(", ",
                            experiment.variants().stream().map(Experiment.Variant::name).toList()) + ", or \"\" for the first");
        }
        String trackingUri = exp.getString("tracking.uri");
        try {
            TrackingTarget.parse(trackingUri);
        } catch (TrackingException e) {
            throw new ConfigError(exp.getValue("tracking.uri").origin().description(), "experiment.tracking.uri",
                    e.getMessage());
        }
        ProbeSettings probe = ProbeSettings.from(exp);
        List<RunPlan> runs = new ArrayList<>();
        for (Experiment.Variant variant : experiment.variants()) {
            RunSettings settings = RunSettings.from(exp.withValue("training", variant.training().root()));
            // The data seed fixes splits and subsets across runs; the run seed drives initialisation,
            // batch order and dequantization noise.
            DataConfigs.Resolved resolved = dataConfigs.resolve(experiment.data(), variant.model());
            checkWarmupFits(resolved.model().factorOutPolicy(), settings, variant);
            checkLrWarmupFits(settings, variant);
            for (long seed : experiment.seeds()) {
                Config runConfig = ConfigFactory.empty()
                        .withValue("variant", ConfigValueFactory.fromAnyRef(variant.name()))
                        .withValue("seed", ConfigValueFactory.fromAnyRef(seed))
                        .withValue("data", experiment.data().root())
                        .withValue("model", variant.model().root())
                        .withValue("training", variant.training().root())
                        .withValue("evaluation", exp.getValue("evaluation"))
                        .withValue("checkpoint", exp.getValue("checkpoint"))
                        .withValue("probe", exp.getValue("probe"));
                runs.add(new RunPlan(experiment.name(), variant.name(), seed, resolved.data(), resolved.model(),
                        settings, probe, runConfig));
            }
        }
        return new ExperimentPlan(experiment, trackingUri, List.copyOf(runs));
    }

    /** A learning-rate warm-up longer than a step budget would never reach training.lr. */
    private static void checkLrWarmupFits(RunSettings settings, Experiment.Variant variant) {
        String key = "warmup-steps";
        if (settings.steps() > 0 && settings.warmupSteps() > settings.steps()) {
            throw new ConfigError(variant.training().getValue(key).origin().description(),
                    "variant " + variant.name() + ": training." + key, settings.warmupSteps() + " warm-up steps is"
                            + " longer than the run (training.steps = " + settings.steps() + "), so the learning rate"
                            + " would never reach training.lr; lower training.warmup-steps or raise training.steps");
        }
    }

    /**
     * A likelihood-contribution warm-up must end within a step budget, or the mask would never be fixed;
     * with a restart after it, before the budget ends, or the run would end untrained.
     */
    private static void checkWarmupFits(FactorOutPolicy policy, RunSettings settings, Experiment.Variant variant) {
        String key = "factor-out-warmup-steps";
        if (policy.kind() != FactorOutPolicy.Kind.LIKELIHOOD_CONTRIBUTION || settings.steps() == 0) {
            return;
        }
        String where = variant.model().getValue(key).origin().description();
        String name = "variant " + variant.name() + ": model." + key;
        if (policy.warmupSteps() > settings.steps()) {
            throw new ConfigError(where, name, policy.warmupSteps() + " warm-up steps is longer than the run"
                    + " (training.steps = " + settings.steps() + "); lower it or raise training.steps");
        }
        if (policy.restartStep() == settings.steps()) {
            throw new ConfigError(where, name, policy.warmupSteps() + " warm-up steps is the whole run"
                    + " (training.steps = " + settings.steps() + "), and model.factor-out-after-warmup = restart would"
                    + " end it untrained; lower it or raise training.steps (the warm-up counts against it)");
        }
    }
}
