package io.flowbench.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An experiment file resolved against conf/reference.conf: its name, data block and the model block
 * of each variant (the experiment's model block with the variant's overrides).
 */
public record Experiment(String name, Config data, List<Variant> variants, List<Long> seeds, Config resolved) {

    /** Reference block of each model kind's training defaults ({@code training-defaults.<kind>}). */
    public static final String TRAINING_DEFAULTS = "training-defaults";

    /** {@code --set PATH=VALUE} (or HOCON's {@code PATH:VALUE} and {@code PATH { ... }}), the value not empty. */
    private static final Pattern OVERRIDE = Pattern.compile("\\s*[^=:{}\\s]+\\s*([=:]\\s*\\S.*|\\{.*})\\s*", Pattern.DOTALL);

    /** One compared model: a name, its complete model block and its training block. */
    public record Variant(String name, Config model, Config training) { }

    /** Loads an experiment file; {@code overrides} are "path=value" settings applied on top. */
    public static Experiment load(Path file, List<String> overrides) {
        if (Files.isDirectory(file)) {
            throw new ConfigError(file + ": is a directory, not an experiment file; give a file such as "
                    + "experiments/quickstart.conf", null);
        }
        if (!Files.isRegularFile(file)) {
            throw new ConfigError(file + ": no such experiment file", null);
        }
        try {
            Path absolute = file.toAbsolutePath();
            // Absolute, so that includes resolve beside the file whatever the working directory.
            Config parsed = ConfigFactory.parseFile(absolute.toFile(), ConfigParseOptions.defaults().setAllowMissing(false)
                    .setIncluder(new RequiredIncludes(file.toString())));
            if (parsed.entrySet().isEmpty()) {
                throw new ConfigError(file + ": the experiment file sets no key, so nothing says what to run; "
                        + "see experiments/quickstart.conf for an example", null);
            }
            Config user = withOverrides(parsed, overrides);
            Config reference = ConfigFactory.parseResources(Experiment.class.getClassLoader(), "reference.conf");
            if (user.hasPathOrNull(TRAINING_DEFAULTS)) {
                throw new ConfigError(user.getValue(TRAINING_DEFAULTS).origin().description(), TRAINING_DEFAULTS,
                        "are a model kind's built-in defaults, not set by experiments; set experiment.training.KEY"
                                + " or a variant's training.KEY instead");
            }
            KnownKeys.check(user, reference);
            Config resolved = user.withFallback(reference).resolve();
            Config exp = resolved.getConfig("experiment");
            KnownKeys.checkTypes(exp.withoutPath("variants"), reference.getConfig("experiment").withoutPath("variants"),
                    "experiment.");
            NumericKeys.check(exp, "", "experiment.");
            Config baseModel = exp.getConfig("model");
            Map<String, Config> baseTraining = new HashMap<>();
            List<Variant> variants = new ArrayList<>();
            Set<String> names = new HashSet<>();
            for (Config v : exp.getConfigList("variants")) {
                Config model = v.hasPath("model") ? v.getConfig("model").withFallback(baseModel) : baseModel;
                String name = v.getString("name");
                String where = v.getValue("name").origin().description();
                if (name.isBlank()) {
                    throw new ConfigError(where, "experiment.variants", "a variant's name must not be empty");
                }
                if (!names.add(name)) {
                    throw new ConfigError(where, "experiment.variants", "two variants are named '" + name
                            + "'; each needs its own name (runs and reports are grouped by it)");
                }
                String label = "variant " + name + ": ";
                KnownKeys.checkTypes(model, reference.getConfig("experiment.model"), label + "model.");
                Config kindTraining = baseTraining.computeIfAbsent(model.getString("kind"),
                        kind -> trainingOfKind(kind, user, reference, resolved));
                Config training = v.hasPath("training") ? v.getConfig("training").withFallback(kindTraining) : kindTraining;
                KnownKeys.checkTypes(training, reference.getConfig("experiment.training"), label + "training.");
                NumericKeys.check(model, "model.", label);
                NumericKeys.check(training, "training.", label);
                variants.add(new Variant(name, model, training));
            }
            if (variants.isEmpty()) {
                throw new ConfigError(exp.getValue("variants").origin().description(), "experiment.variants",
                        "is empty; list at least one { name = ..., model { ... } }");
            }
            return new Experiment(exp.getString("name"), exp.getConfig("data"), List.copyOf(variants),
                    seeds(exp.getValue("seeds")), resolved);
        } catch (ConfigException e) {
            throw new ConfigError(e.getMessage(), e);
        }
    }

    /** The experiment file with each {@code --set} override applied on top, in order. */
    private static Config withOverrides(Config user, List<String> overrides) {
        for (String override : overrides) {
            Matcher m = OVERRIDE.matcher(override);
            if (!m.matches()) {
                throw new ConfigError("--set " + override, "--set", "expected PATH=VALUE with a value, like "
                        + "--set experiment.training.steps=500");
            }
            user = ConfigFactory.parseString(override, ConfigParseOptions.defaults()
                    .setOriginDescription("--set " + override)).withFallback(user);
        }
        return user;
    }

    /**
     * The experiment's training block for variants of model kind {@code kind}: the kind's
     * {@code training-defaults} block of the reference, if it has one, in place of the reference's
     * training defaults, under every key the experiment sets (resolved again so substitutions see it).
     */
    static Config trainingOfKind(String kind, Config user, Config reference, Config resolved) {
        String path = ConfigUtil.joinPath(TRAINING_DEFAULTS, kind);
        if (!reference.hasPath(path)) {
            return resolved.getConfig("experiment.training");
        }
        Config defaults = reference.getConfig(path).atPath("experiment.training");
        return user.withFallback(defaults).withFallback(reference).resolve().getConfig("experiment.training");
    }

    /** {@code seeds}: a non-empty list of distinct whole numbers. */
    private static List<Long> seeds(ConfigValue list) {
        String where = list.origin().description();
        if (list.valueType() != ConfigValueType.LIST) {
            throw new ConfigError(where, "experiment.seeds", "expected a list of whole numbers like [0, 1], got "
                    + list.render());
        }
        List<Long> seeds = new ArrayList<>();
        for (ConfigValue v : (ConfigList) list) {
            NumericKeys.check(v, "experiment.seeds", NumericKeys.SEED);
            long seed = new BigDecimal(v.unwrapped().toString().strip()).longValueExact();
            if (seeds.contains(seed)) {
                throw new ConfigError(v.origin().description(), "experiment.seeds", "seed " + seed
                        + " is listed twice; each seed is one run per variant");
            }
            seeds.add(seed);
        }
        if (seeds.isEmpty()) {
            throw new ConfigError(where, "experiment.seeds", "is empty; list at least one seed, like [0]");
        }
        return List.copyOf(seeds);
    }
}
