package io.flowbench.run;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValue;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * How the configuration a run is resumed with differs from the one it was trained with (recorded in its
 * checkpoint). A run's settings are fixed once it trained, except its budget, {@code training.steps} and
 * {@code training.wall-minutes}: raised to extend the run or lowered to end it sooner (never below what it
 * trained, which the caller checks). The {@code probe} block, an analysis after training, applies as set at the
 * resume. Any other difference is refused. A key added since the run was recorded compares as its past default
 * ({@link PastDefaults}), so such a run still resumes.
 */
record SettingChanges(List<String> refused, Map<String, String> budgets) {
    /** The budget keys, and the run tag that records the budget a run was last resumed with. */
    static final Map<String, String> BUDGET_TAGS = Map.of(
            "training.steps", RunKeys.Tag.BUDGET_STEPS,
            "training.wall-minutes", RunKeys.Tag.BUDGET_WALL_MINUTES);

    /** The block of the run configuration that does not change what is trained (runs recorded before it have none). */
    private static final String FREE_BLOCK = "probe";

    static SettingChanges between(Config recordedConfig, Config now) {
        Config recorded = recordedConfig.withFallback(PastDefaults.config());
        TreeSet<String> keys = new TreeSet<>();
        recorded.withoutPath(FREE_BLOCK).entrySet().forEach(e -> keys.add(e.getKey()));
        now.withoutPath(FREE_BLOCK).entrySet().forEach(e -> keys.add(e.getKey()));
        List<String> refused = new ArrayList<>();
        Map<String, String> budgets = new LinkedHashMap<>();
        for (String key : keys) {
            Object before = recorded.hasPath(key) ? value(recorded.getValue(key)) : null;
            Object after = now.hasPath(key) ? value(now.getValue(key)) : null;
            if (Objects.equals(before, after)) {
                continue;
            }
            if (BUDGET_TAGS.containsKey(key) && after instanceof Number) {
                budgets.put(key, text(after));
            } else {
                refused.add(key + " " + text(before) + " -> " + text(after));
            }
        }
        return new SettingChanges(List.copyOf(refused), budgets);
    }

    /** Numbers compare by value (10 and 10.0 are one setting); everything else as HOCON unwraps it. */
    private static Object value(ConfigValue v) {
        Object o = v.unwrapped();
        return o instanceof Number n ? (Object) n.doubleValue() : o;
    }

    private static String text(Object value) {
        if (value == null) {
            return "(unset)";
        }
        if (value instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue()) && Math.abs(n.doubleValue()) < 1e15) {
            return Long.toString(n.longValue());
        }
        return value.toString();
    }
}
