package io.flowbench.tracking;

import io.flowbench.util.Sha256;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MLflow's rules for keys and values ({@code mlflow/utils/validation.py}), applied before anything is
 * written so that what the local store accepts a server accepts too.
 * <ul>
 *   <li>Param, metric and tag keys: letters, digits, {@code _ - . / : space}, at most 250 characters, and
 *       no path tricks ({@code ..}, leading {@code /}, {@code //}) since the file store makes them files.
 *       A key that breaks a rule is mended (other characters become {@code _}; an over-long key keeps
 *       its head and gets a hash of the whole as its tail so two long keys stay distinct).</li>
 *   <li>Param values are cut to 6000 characters, tag values to 8000 (MLflow truncates likewise).</li>
 *   <li>One log-batch request holds at most 1000 metrics, 100 params plus tags, 1000 entities.</li>
 * </ul>
 */
public final class MlflowNames {
    public static final int MAX_KEY_LENGTH = 250;
    public static final int MAX_PARAM_VALUE_LENGTH = 6000;
    public static final int MAX_TAG_VALUE_LENGTH = 8000;
    public static final int MAX_METRICS_PER_BATCH = 1000;
    public static final int MAX_PARAMS_TAGS_PER_BATCH = 100;
    public static final int MAX_EXPERIMENT_NAME_LENGTH = 500;

    private static final Logger LOG = LoggerFactory.getLogger(MlflowNames.class);
    private static final Pattern BAD_CHARS = Pattern.compile("[^A-Za-z0-9_\\-./: ]");

    private MlflowNames() {
    }

    /** The key as MLflow will accept it (unchanged when it already is acceptable). */
    public static String key(String raw) {
        if (raw == null || raw.isBlank()) {
            throw new IllegalArgumentException("MLflow keys must not be empty");
        }
        String k = BAD_CHARS.matcher(raw).replaceAll("_");
        k = k.replaceAll("/{2,}", "/").replaceAll("^/+", "").replaceAll("/+$", "");
        StringBuilder safe = new StringBuilder();
        for (String part : k.split("/", -1)) {
            if (safe.length() > 0) {
                safe.append('/');
            }
            safe.append(part.equals(".") || part.equals("..") ? part.replace('.', '_') : part);
        }
        k = safe.length() == 0 ? "_" : safe.toString();
        if (k.length() > MAX_KEY_LENGTH) {
            String tail = "_" + Sha256.of(raw).substring(0, 12);
            k = k.substring(0, MAX_KEY_LENGTH - tail.length()) + tail;
        }
        if (!k.equals(raw)) {
            LOG.debug("MLflow key '{}' written as '{}'", raw, k);
        }
        return k;
    }

    public static String paramValue(String key, String value) {
        return cut("param", key, value, MAX_PARAM_VALUE_LENGTH);
    }

    public static String tagValue(String key, String value) {
        return cut("tag", key, value, MAX_TAG_VALUE_LENGTH);
    }

    private static String cut(String what, String key, String value, int limit) {
        String v = value == null ? "" : value;
        if (v.length() <= limit) {
            return v;
        }
        LOG.warn("MLflow {} '{}' has {} characters; keeping the first {} (MLflow's limit)", what, key, v.length(), limit);
        return v.substring(0, limit);
    }

    /**
     * Flattens nested maps into dotted keys ({@code {model: {levels: 3}}} becomes {@code model.levels=3});
     * other values become their string form (lists as {@code [a, b]}). Keys are then made acceptable.
     */
    public static Map<String, String> flatten(Map<String, ?> nested) {
        Map<String, String> out = new LinkedHashMap<>();
        flattenInto("", nested, out);
        return out;
    }

    private static void flattenInto(String prefix, Map<?, ?> map, Map<String, String> out) {
        for (Map.Entry<?, ?> e : map.entrySet()) {
            String k = prefix.isEmpty() ? String.valueOf(e.getKey()) : prefix + "." + e.getKey();
            Object v = e.getValue();
            if (v instanceof Map<?, ?> m && !m.isEmpty()) {
                flattenInto(k, m, out);
            } else {
                out.put(key(k), v instanceof List<?> l ? l.toString() : String.valueOf(v));
            }
        }
    }

    /** A valid experiment name: not blank, at most 500 characters. */
    public static String experimentName(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("an MLflow experiment name must not be empty");
        }
        if (name.length() > MAX_EXPERIMENT_NAME_LENGTH) {
            throw new IllegalArgumentException("MLflow experiment names have at most " + MAX_EXPERIMENT_NAME_LENGTH
                    + " characters: " + name.substring(0, 60) + "...");
        }
        return name;
    }

}
