package io.flowbench.config;

import com.typesafe.config.Config;
import io.flowbench.model.StepSpec;

/** {@code kind = glow}: the {@code glow} block. */
final class GlowStepReader implements StepReader {
    @Override
    public StepSpec read(Config model) {
        return new StepSpec.Glow(ModelConfigs.enumValue(model, "glow.coupling", "affine", "additive").equals("additive"));
    }
}
