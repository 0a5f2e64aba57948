package io.flowbench.run;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

/**
 * What a run recorded before a key of {@link RunKeys.Param#ADDED_WITH_PAST_DEFAULT} existed did: that key's
 * reference default, under the run's block names ({@code model.factor-out-policy}, {@code training.adam-beta1},
 * ...). Read back and resumed runs that lack such a key fall back to it.
 */
public final class PastDefaults {
    private static final Config CONFIG = build();

    private PastDefaults() {
    }

    public static Config config() {
        return CONFIG;
    }

    private static Config build() {
        Config reference = ConfigFactory.parseResources(PastDefaults.class.getClassLoader(), "reference.conf")
                .getConfig("experiment");
        Config defaults = ConfigFactory.empty();
        for (String key : RunKeys.Param.ADDED_WITH_PAST_DEFAULT) {
            defaults = defaults.withValue(key, reference.getValue(key));
        }
        return defaults;
    }
}
