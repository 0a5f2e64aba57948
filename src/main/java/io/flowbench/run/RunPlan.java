package io.flowbench.run;

import com.typesafe.config.Config;
import io.flowbench.data.DataOptions;
import io.flowbench.model.ModelSpec;
import io.flowbench.probe.ProbeSettings;

/**
 * One run of an experiment, fully resolved before any work starts: the variant, its seed, the data
 * options and model it trains, the linear probe at its end, and the run's own configuration (what gets logged
 * as parameters).
 */
public record RunPlan(String experiment, String variant, long seed, DataOptions data, ModelSpec model,
                      RunSettings settings, ProbeSettings probe, Config config) {

    public String runName() {
        return variant + "-seed" + seed;
    }
}
