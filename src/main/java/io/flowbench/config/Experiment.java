package io.flowbench.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * An experiment file resolved against conf/reference.conf: its name, data block and the model block
 * of each variant (the experiment's model block with the variant's overrides).
 */
public record Experiment(String name, Config data, List<Variant> variants, List<Long> seeds, Config resolved) {

    /** One compared model: a name, its complete model block and its training block. */
    public record Variant(String name, Config model, Config training) { }

    /** Loads an experiment file; {@code overrides} are "path=value" settings applied on top. */
    public static Experiment load(Path file, List<String> overrides) {
        if (!Files.isRegularFile(file)) {
            throw new ConfigError(file + ": no such experiment file", null);
        }
        try {
            Config user = ConfigFactory.parseFile(file.toFile(), ConfigParseOptions.defaults().setAllowMissing(false));
            for (String override : overrides) {
                user = ConfigFactory.parseString(override, ConfigParseOptions.defaults()
                        .setOriginDescription("--set " + override)).withFallback(user);
            }
            Config reference = ConfigFactory.parseResources(Experiment.class.getClassLoader(), "reference.conf");
            KnownKeys.check(user, reference);
            Config resolved = user.withFallback(reference).resolve();
            Config exp = resolved.getConfig("experiment");
            KnownKeys.checkTypes(exp.withoutPath("variants"), reference.getConfig("experiment").withoutPath("variants"),
                    "experiment.");
            Config baseModel = exp.getConfig("model");
            Config baseTraining = exp.getConfig("training");
            List<Variant> variants = new ArrayList<>();
            for (Config v : exp.getConfigList("variants")) {
                Config model = v.hasPath("model") ? v.getConfig("model").withFallback(baseModel) : baseModel;
                Config training = v.hasPath("training") ? v.getConfig("training").withFallback(baseTraining) : baseTraining;
                String name = v.getString("name");
                KnownKeys.checkTypes(model, reference.getConfig("experiment.model"), "variant " + name + ": model.");
                KnownKeys.checkTypes(training, reference.getConfig("experiment.training"), "variant " + name + ": training.");
                variants.add(new Variant(name, model, training));
            }
            return new Experiment(exp.getString("name"), exp.getConfig("data"), List.copyOf(variants),
                    List.copyOf(exp.getLongList("seeds")), resolved);
        } catch (ConfigException e) {
            throw new ConfigError(e.getMessage(), e);
        }
    }
}
