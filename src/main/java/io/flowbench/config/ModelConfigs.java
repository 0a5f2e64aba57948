package io.flowbench.config;

import com.typesafe.config.Config;
import com.google.inject.Inject;
import io.flowbench.flow.FactorOutPolicy;
import io.flowbench.flow.LatentShape;
import com.typesafe.config.ConfigException;
import io.flowbench.model.ModelSpec;
import io.flowbench.model.Preprocessing;
import io.flowbench.model.StepSpec;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;

/** Maps a resolved {@code model} block of an experiment to a {@link ModelSpec}. */
public final class ModelConfigs {
    private static final String[] POLICIES = Arrays.stream(FactorOutPolicy.Kind.values())
            .map(FactorOutPolicy.Kind::configName).toArray(String[]::new);
    private static final String[] ORDERS = {"highest", "lowest"};
    private static final String[] AFTER_WARMUP = Arrays.stream(FactorOutPolicy.AfterWarmup.values())
            .map(FactorOutPolicy.AfterWarmup::configName).toArray(String[]::new);

    private final Map<String, StepReader> kinds;

    @Inject
    public ModelConfigs(Map<String, StepReader> kinds) {
        this.kinds = kinds;
    }

    /**
     * @param model      the model block (already merged with the reference defaults)
     * @param input      image shape of the dataset
     * @param numClasses the dataset's class count (used when the model is conditional)
     */
    public ModelSpec toSpec(Config model, LatentShape input, int numClasses) {
        String origin = model.origin().description();
        StepSpec step = reader(model).read(model);
        boolean conditional = model.getBoolean("conditional");
        if (conditional && numClasses <= 0) {
            throw new ConfigError(origin, "model.conditional", "the dataset has no class labels");
        }
        String factorOut = enumValue(model, "factor-out", "auto", "on", "off");
        boolean factorsOut = factorOut.equals("auto") ? step.factorsOutByDefault(input) : factorOut.equals("on");
        FactorOutPolicy policy = factorOutPolicy(model, factorsOut);
        try {
            return new ModelSpec(input, model.getInt("levels"), model.getInt("depth"), model.getInt("hidden"),
                    model.getInt("n-bits"), conditional ? numClasses : 0,
                    enumValue(model, "top-prior", "learned", "standard").equals("learned"),
                    model.getBoolean("invconv-bias"), step,
                    factorsOut, preprocessing(model, input), policy);
        } catch (IllegalArgumentException e) {
            throw new ConfigError(origin, "model", e.getMessage() + " (input " + input + ")");
        }
    }

    /**
     * {@code factor-out-policy}, with {@code factor-out-order}, {@code factor-out-warmup-steps} and
     * {@code factor-out-after-warmup} (whose restart is refused for a policy without a warm-up, rather
     * than silently ignored).
     */
    private static FactorOutPolicy factorOutPolicy(Config model, boolean factorsOut) {
        String policyKey = "factor-out-policy";
        String kindName = enumValue(model, policyKey, POLICIES);
        FactorOutPolicy.Kind kind = Arrays.stream(FactorOutPolicy.Kind.values())
                .filter(k -> k.configName().equals(kindName)).findFirst().orElseThrow();
        FactorOutPolicy.Order order = FactorOutPolicy.Order.valueOf(enumValue(model, "factor-out-order", ORDERS)
                .toUpperCase(Locale.ROOT));
        String warmupKey = "factor-out-warmup-steps";
        long warmup = model.getLong(warmupKey);
        String afterKey = "factor-out-after-warmup";
        FactorOutPolicy.AfterWarmup after = FactorOutPolicy.AfterWarmup.valueOf(enumValue(model, afterKey, AFTER_WARMUP)
                .toUpperCase(Locale.ROOT));
        if (kind != FactorOutPolicy.Kind.CHANNELS && (!factorsOut || model.getInt("levels") < 2)) {
            throw new ConfigError(model.getValue(policyKey).origin().description(), "model." + policyKey,
                    kind.configName() + " chooses what a factor-out sends to its latent, but this model has none: "
                            + "set model.factor-out = on and model.levels >= 2, or use channels");
        }
        if (after == FactorOutPolicy.AfterWarmup.RESTART && kind != FactorOutPolicy.Kind.LIKELIHOOD_CONTRIBUTION) {
            throw new ConfigError(model.getValue(afterKey).origin().description(), "model." + afterKey,
                    "restart only applies to likelihood-contribution's warm-up, but model.factor-out-policy = "
                            + kind.configName() + "; set it in the likelihood-contribution variants only, or remove it");
        }
        try {
            return new FactorOutPolicy(kind, order, warmup, after);
        } catch (IllegalArgumentException e) {
            throw new ConfigError(model.getValue(warmupKey).origin().description(), "model." + warmupKey, e.getMessage());
        }
    }

    /** {@code logit-preprocessing} and {@code logit-alpha} ("auto": by the image's channel count). */
    private static Preprocessing preprocessing(Config model, LatentShape input) {
        if (enumValue(model, "logit-preprocessing", "off", "on").equals("off")) {
            return Preprocessing.NONE;
        }
        String key = "logit-alpha";
        if (model.getString(key).equals("auto")) {
            return Preprocessing.logit(Preprocessing.defaultLogitAlpha(input.channels()));
        }
        String where = model.getValue(key).origin().description();
        double alpha;
        try {
            alpha = model.getDouble(key);
        } catch (ConfigException.WrongType e) {
            throw new ConfigError(where, "model." + key, "'" + model.getString(key) + "' is neither auto nor a number");
        }
        try {
            return Preprocessing.logit(alpha);
        } catch (IllegalArgumentException e) {
            throw new ConfigError(where, "model." + key, e.getMessage());
        }
    }

    /**
     * Checks the experiment's base model block on its own: variants override it, but a wrong value there
     * (an unknown kind, say) is still a mistake in the file, and a variant added later would inherit it.
     */
    public void checkBase(Config model) {
        reader(model);
        for (StepReader reader : kinds.values()) {
            reader.read(model); // every kind's block: a typo in an unused one would bite the variant that uses it
        }
        enumValue(model, "top-prior", "learned", "standard");
        enumValue(model, "logit-preprocessing", "off", "on");
        enumValue(model, "factor-out-policy", POLICIES);
        enumValue(model, "factor-out-order", ORDERS);
        enumValue(model, "factor-out-after-warmup", AFTER_WARMUP);
    }

    private StepReader reader(Config model) {
        String kind = model.getString("kind");
        StepReader reader = kinds.get(kind);
        if (reader == null) {
            throw new ConfigError(model.getValue("kind").origin().description(), "model.kind",
                    "'" + kind + "' is not one of " + String.join(" | ", kinds.keySet()));
        }
        return reader;
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
