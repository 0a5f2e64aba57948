package io.flowbench.run;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigRenderOptions;
import io.flowbench.config.DataConfigs;
import io.flowbench.config.Experiment;
import java.util.ArrayList;
import java.util.List;

/** An experiment expanded into its runs (variants x seeds), every one validated up front. */
public record ExperimentPlan(Experiment experiment, String trackingUri, List<RunPlan> runs) {

    public static ExperimentPlan of(Experiment experiment) {
        Config exp = experiment.resolved().getConfig("experiment");
        List<RunPlan> runs = new ArrayList<>();
        for (Experiment.Variant variant : experiment.variants()) {
            Config runBlocks = exp.withValue("training", variant.training().root());
            RunSettings settings = RunSettings.from(runBlocks);
            for (long seed : experiment.seeds()) {
                // The data seed fixes splits and subsets across runs; the run seed drives initialisation,
                // batch order and dequantization noise.
                Config data = experiment.data();
                DataConfigs.Resolved resolved = DataConfigs.resolve(data, variant.model());
                Config runConfig = ConfigFactory.empty()
                        .withValue("variant", ConfigFactory.parseString("v = \"" + variant.name() + "\"").getValue("v"))
                        .withValue("seed", ConfigFactory.parseString("s = " + seed).getValue("s"))
                        .withValue("data", data.root())
                        .withValue("model", variant.model().root())
                        .withValue("training", variant.training().root())
                        .withValue("evaluation", exp.getValue("evaluation"))
                        .withValue("checkpoint", exp.getValue("checkpoint"));
                runs.add(new RunPlan(experiment.name(), variant.name(), seed, resolved.data(), resolved.model(),
                        settings, runConfig));
            }
        }
        return new ExperimentPlan(experiment, exp.getString("tracking.uri"), List.copyOf(runs));
    }

    /** The resolved configuration of a run as HOCON text (the --dry-run output and a run artifact). */
    public static String render(RunPlan run) {
        return run.config().root().render(ConfigRenderOptions.defaults().setOriginComments(false).setComments(false).setJson(false));
    }
}
