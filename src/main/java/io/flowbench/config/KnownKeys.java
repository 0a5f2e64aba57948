package io.flowbench.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.commons.text.similarity.LevenshteinDistance;

/**
 * Rejects configuration keys that conf/reference.conf does not know, naming the file, the key and
 * the closest known key. Typesafe Config checks types against a reference but ignores unknown keys,
 * which would let a typo silently fall back to a default.
 */
final class KnownKeys {
    private static final String VARIANTS = "experiment.variants";
    /** Blocks a variant may override, each checked against the experiment's block of that name. */
    private static final List<String> VARIANT_BLOCKS = List.of("model", "training");

    private KnownKeys() {
    }

    static void check(Config user, Config reference) {
        if (user.hasPath(VARIANTS)) {
            checkVariants(user.getValue(VARIANTS), reference); // first: an object there would read as unknown keys
        }
        Set<String> known = new TreeSet<>(reference.entrySet().stream().map(Map.Entry::getKey).toList());
        for (Map.Entry<String, ConfigValue> e : user.entrySet()) {
            if (!reference.hasPathOrNull(e.getKey())) {
                throw unknown(e.getValue(), e.getKey(), known);
            }
            if (reference.getValue(e.getKey()).valueType() == ConfigValueType.OBJECT) {
                throw new ConfigError(e.getValue().origin().description(), e.getKey(), "is a block of keys { ... }, "
                        + "not a value; got " + e.getValue().render(ConfigRenderOptions.concise()));
            }
        }
    }

    private static void checkVariants(ConfigValue variants, Config reference) {
        if (variants.valueType() != ConfigValueType.LIST) {
            throw new ConfigError(variants.origin().description(), VARIANTS, "must be a list of { name = ..., model { ... } }");
        }
        Set<String> allowed = new TreeSet<>(List.of("name"));
        for (String block : VARIANT_BLOCKS) {
            reference.getConfig("experiment." + block).entrySet().forEach(e -> allowed.add(block + "." + e.getKey()));
        }
        int index = 0;
        for (ConfigValue v : (ConfigList) variants) {
            String where = VARIANTS + "[" + index++ + "]";
            if (v.valueType() != ConfigValueType.OBJECT) {
                throw new ConfigError(v.origin().description(), where, "must be an object { name = ..., model { ... } }");
            }
            Config variant = ((ConfigObject) v).toConfig();
            if (!variant.hasPath("name")) {
                throw new ConfigError(v.origin().description(), where, "has no name");
            }
            for (Map.Entry<String, ConfigValue> e : variant.entrySet()) {
                if (!allowed.contains(e.getKey())) {
                    throw unknown(e.getValue(), where + "." + e.getKey(), prefixed(allowed, where + "."));
                }
            }
        }
    }

    /**
     * Reads every key of {@code reference} from {@code actual} with the getter of the reference
     * value's type, so that a wrong type fails now, with its origin, not mid-run. (checkValid lets a
     * string stand where a number is expected.)
     */
    static void checkTypes(Config actual, Config reference, String prefix) {
        for (Map.Entry<String, ConfigValue> e : reference.entrySet()) {
            String key = e.getKey();
            if (!actual.hasPath(key)) {
                continue;
            }
            try {
                switch (e.getValue().valueType()) {
                    case NUMBER -> actual.getNumber(key);
                    case BOOLEAN -> actual.getBoolean(key);
                    case LIST -> actual.getList(key);
                    case OBJECT -> actual.getObject(key);
                    default -> actual.getValue(key);
                }
            } catch (com.typesafe.config.ConfigException.WrongType wrong) {
                throw new ConfigError(actual.getValue(key).origin().description(), prefix + key,
                        "expected " + e.getValue().valueType().name().toLowerCase(java.util.Locale.ROOT)
                                + " like the default " + e.getValue().render(ConfigRenderOptions.concise()) + ", got "
                                + actual.getValue(key).render(ConfigRenderOptions.concise()));
            }
        }
    }

    private static Set<String> prefixed(Set<String> keys, String prefix) {
        Set<String> out = new TreeSet<>();
        keys.forEach(k -> out.add(prefix + k));
        return out;
    }

    private static ConfigError unknown(ConfigValue value, String key, Set<String> known) {
        // A key written without its "experiment." prefix (a common slip in --set) is suggested with it.
        String closest = known.contains("experiment." + key) ? "experiment." + key : closest(key, known);
        return new ConfigError(value.origin().description(), key, "unknown key"
                + (closest == null ? "" : "; did you mean " + closest + "?")
                + " (conf/reference.conf lists every key)");
    }

    /** The known key nearest in edit distance, if near enough to be a plausible typo. */
    static String closest(String key, Set<String> known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : known) {
            int d = LevenshteinDistance.getDefaultInstance().apply(key, candidate);
            if (d < bestDistance) {
                bestDistance = d;
                best = candidate;
            }
        }
        String lastSegment = key.substring(key.lastIndexOf('.') + 1);
        return bestDistance <= Math.max(2, lastSegment.length() / 3) ? best : null;
    }
}
