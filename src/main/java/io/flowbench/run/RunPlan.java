package io.flowbench.run;

import com.typesafe.config.Config;
import io.flowbench.data.DataOptions;
import io.flowbench.model.ModelSpec;

/**
 * One run of an experiment, fully resolved before any work starts: the variant, its seed, the data
 * options and model it trains, and the run's own configuration (what gets logged as parameters).
 */
public record RunPlan(String experiment, String variant, long seed, DataOptions data, ModelSpec model,
                      RunSettings settings, Config config) {

    public String runName() {
        return variant + "-seed" + seed;
    }
}
