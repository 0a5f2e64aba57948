package io.flowbench.config;

import com.typesafe.config.Config;
import io.flowbench.flow.DynamicLinear;
import io.flowbench.flow.LatentShape;
import io.flowbench.model.ModelSpec;
import io.flowbench.model.StepSpec;
import java.util.Locale;

/** Maps a resolved {@code model} block of an experiment to a {@link ModelSpec}. */
public final class ModelConfigs {

    private ModelConfigs() {
    }

    /**
     * @param model      the model block (already merged with the reference defaults)
     * @param input      image shape of the dataset
     * @param numClasses the dataset's class count (used when the model is conditional)
     */
    public static ModelSpec toSpec(Config model, LatentShape input, int numClasses) {
        String origin = model.origin().description();
        StepSpec step = switch (enumValue(model, "kind", "glow", "dlf")) {
            case "glow" -> new StepSpec.Glow(enumValue(model, "glow.coupling", "affine", "additive").equals("additive"));
            case "dlf" -> new StepSpec.Dlf(new DynamicLinear.Options(
                    model.getInt("dlf.parts"),
                    enumValue(model, "dlf.form", "non-inverse", "inverse").equals("inverse")
                            ? DynamicLinear.Form.INVERSE : DynamicLinear.Form.NON_INVERSE,
                    DynamicLinear.Partition.valueOf(enumValue(model, "dlf.partition", "equal", "increasing", "decreasing")
                            .toUpperCase(Locale.ROOT)),
                    enumValue(model, "dlf.first-part", "learned", "identity").equals("identity")
                            ? DynamicLinear.FirstPart.IDENTITY : DynamicLinear.FirstPart.LEARNED,
                    model.getDouble("dlf.logs-rescale-init"),
                    model.getDouble("dlf.logs-shift-init")));
            default -> throw new IllegalStateException();
        };
        boolean conditional = model.getBoolean("conditional");
        if (conditional && numClasses <= 0) {
            throw new ConfigError(origin, "model.conditional", "the dataset has no class labels");
        }
        try {
            return new ModelSpec(input, model.getInt("levels"), model.getInt("depth"), model.getInt("hidden"),
                    model.getInt("n-bits"), conditional ? numClasses : 0,
                    enumValue(model, "top-prior", "learned", "standard").equals("learned"),
                    model.getBoolean("invconv-bias"), step);
        } catch (IllegalArgumentException e) {
            throw new ConfigError(origin, "model", e.getMessage() + " (input " + input + ")");
        }
    }

    /** A string key restricted to the given values; the error lists them. */
    static String enumValue(Config config, String key, String... allowed) {
        String value = config.getString(key);
        for (String a : allowed) {
            if (a.equals(value)) {
                return value;
            }
        }
        throw new ConfigError(config.getValue(key).origin().description(), key,
                "'" + value + "' is not one of " + String.join(" | ", allowed));
    }
}
