package io.flowbench.run;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What a resume may change (the budget, the probe block), and how it reads a checkpoint recorded before a key existed. */
class SettingChangesTest {
    /** A run's configuration as the executor records it: its blocks, resolved from the reference. */
    private static final Config NOW = ConfigFactory.parseResources(SettingChangesTest.class.getClassLoader(),
            "reference.conf").getConfig("experiment").withOnlyPath("model")
            .withFallback(ConfigFactory.parseResources(SettingChangesTest.class.getClassLoader(), "reference.conf")
                    .getConfig("experiment").withOnlyPath("training"));

    private static Config withoutAddedKeys(Config config) {
        for (String key : RunKeys.Param.ADDED_WITH_PAST_DEFAULT) {
            config = config.withoutPath(key);
        }
        return config;
    }

    @Test
    void aRunRecordedBeforeAKeyExistedResumesWithThatKeysPastDefault() {
        SettingChanges same = SettingChanges.between(withoutAddedKeys(NOW), NOW);
        assertEquals(List.of(), same.refused());
        SettingChanges other = SettingChanges.between(withoutAddedKeys(NOW),
                NOW.withValue("training.adam-beta2", ConfigValueFactory.fromAnyRef(0.99)));
        assertEquals(List.of("training.adam-beta2 0.999 -> 0.99"), other.refused(), "its past default is what it trained with");
    }

    @Test
    void onlyTheBudgetMayChange() {
        SettingChanges c = SettingChanges.between(NOW, NOW
                .withValue("training.steps", ConfigValueFactory.fromAnyRef(5000))
                .withValue("training.grad-clip-norm", ConfigValueFactory.fromAnyRef(1.0)));
        assertEquals(Map.of("training.steps", "5000"), c.budgets());
        assertEquals(List.of("training.grad-clip-norm 0 -> 1"), c.refused());
    }

    /** The probe is an analysis after training: its settings may change, and a checkpoint from before it resumes. */
    @Test
    void theProbeBlockMayChange() {
        Config probe = ConfigFactory.parseResources(SettingChangesTest.class.getClassLoader(), "reference.conf")
                .getConfig("experiment").withOnlyPath("probe");
        Config recorded = NOW.withFallback(probe);
        assertEquals(List.of(), SettingChanges.between(NOW, recorded).refused(), "recorded before the probe existed");
        SettingChanges c = SettingChanges.between(recorded, recorded
                .withValue("probe.enabled", ConfigValueFactory.fromAnyRef(false))
                .withValue("probe.train-examples", ConfigValueFactory.fromAnyRef(500)));
        assertEquals(List.of(), c.refused());
        assertEquals(Map.of(), c.budgets());
    }
}
