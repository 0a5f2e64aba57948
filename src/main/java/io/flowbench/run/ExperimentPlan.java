package io.flowbench.run;

import com.typesafe.config.ConfigRenderOptions;
import io.flowbench.config.Experiment;
import java.util.List;

/** An experiment expanded into its runs (variants x seeds), every one validated up front (see {@link ExperimentPlanner}). */
public record ExperimentPlan(Experiment experiment, String trackingUri, List<RunPlan> runs) {

    /** The resolved configuration of a run as HOCON text (the --dry-run output and a run artifact). */
    public static String render(RunPlan run) {
        return run.config().root().render(ConfigRenderOptions.defaults().setOriginComments(false).setComments(false).setJson(false));
    }
}
