package io.flowbench.config;

import com.typesafe.config.Config;
import io.flowbench.flow.DynamicLinear;
import io.flowbench.model.StepSpec;
import java.util.Locale;

/** {@code kind = dlf}: the {@code dlf} block. */
final class DlfStepReader implements StepReader {
    @Override
    public StepSpec read(Config model) {
        DynamicLinear.Form form = ModelConfigs.enumValue(model, "dlf.form", "non-inverse", "inverse").equals("inverse")
                ? DynamicLinear.Form.INVERSE : DynamicLinear.Form.NON_INVERSE;
        DynamicLinear.Partition partition = DynamicLinear.Partition.valueOf(
                ModelConfigs.enumValue(model, "dlf.partition", "equal", "increasing", "decreasing").toUpperCase(Locale.ROOT));
        DynamicLinear.FirstPart firstPart = ModelConfigs.enumValue(model, "dlf.first-part", "learned", "identity")
                .equals("identity") ? DynamicLinear.FirstPart.IDENTITY : DynamicLinear.FirstPart.LEARNED;
        try {
            return new StepSpec.Dlf(new DynamicLinear.Options(model.getInt("dlf.parts"), form, partition, firstPart,
                    model.getDouble("dlf.logs-rescale-init"), model.getDouble("dlf.logs-shift-init")));
        } catch (IllegalArgumentException e) {
            throw new ConfigError(model.getValue("dlf").origin().description(), "model.dlf", e.getMessage());
        }
    }
}
