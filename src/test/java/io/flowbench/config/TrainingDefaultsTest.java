package io.flowbench.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model kind's training defaults (reference.conf's {@code training-defaults.<kind>}): they replace the
 * reference's training defaults for variants of that kind, under every training key the experiment sets.
 */
class TrainingDefaultsTest {
    private static final Config REFERENCE = ConfigFactory.parseResources(TrainingDefaultsTest.class.getClassLoader(),
            "reference.conf");

    @TempDir
    Path dir;

    private Map<String, Config> training(String text, String... overrides) throws Exception {
        Path p = dir.resolve("exp.conf");
        Files.writeString(p, text);
        Map<String, Config> out = new LinkedHashMap<>();
        Experiment.load(p, List.of(overrides)).variants().forEach(v -> out.put(v.name(), v.training()));
        return out;
    }

    @Test
    void aResflowVariantTrainsWithItsKindsDefaultsAndOtherKindsWithTheReferences() throws Exception {
        Map<String, Config> t = training("""
                experiment.variants = [
                  { name = rf, model.kind = resflow }
                  { name = glow, model.kind = glow }
                ]
                """);
        Config rf = t.get("rf");
        assertEquals("adam", rf.getString("optimizer"));
        assertEquals(0.9, rf.getDouble("adam-beta1"));
        assertEquals(0.99, rf.getDouble("adam-beta2"));
        assertEquals(1e-3, rf.getDouble("lr"));
        assertEquals(1.0, rf.getDouble("lr-decay"));
        assertEquals(1000, rf.getInt("warmup-steps"));
        assertEquals(1.0, rf.getDouble("grad-clip-norm"));
        assertEquals(0.999, rf.getDouble("ema-decay"));
        assertEquals(REFERENCE.getInt("experiment.training.batch-size"), rf.getInt("batch-size"), "keys it does not name");
        Config glow = t.get("glow");
        Config reference = REFERENCE.getConfig("experiment.training");
        reference.entrySet().forEach(e -> assertEquals(e.getValue().unwrapped(), glow.getValue(e.getKey()).unwrapped(),
                "glow's " + e.getKey() + " is the reference's"));
    }

    @Test
    void whatTheExperimentSetsWinsOverTheKindsDefaults() throws Exception {
        Map<String, Config> t = training("""
                experiment {
                  model.kind = resflow
                  training { warmup-steps = 50, adam-beta2 = 0.98 }
                  variants = [
                    { name = base }
                    { name = own, training.grad-clip-norm = 0 }
                    { name = glow, model.kind = glow }
                  ]
                }
                """, "experiment.training.lr=5e-4");
        Config base = t.get("base");
        assertEquals(50, base.getInt("warmup-steps"), "the experiment's training block");
        assertEquals(0.98, base.getDouble("adam-beta2"));
        assertEquals(5e-4, base.getDouble("lr"), "--set");
        assertEquals(1.0, base.getDouble("grad-clip-norm"), "the kind's, where the experiment is silent");
        assertEquals(0.0, t.get("own").getDouble("grad-clip-norm"), "the variant's own training block");
        assertEquals(1.0, t.get("own").getDouble("lr-decay"));
        Config glow = t.get("glow");
        assertEquals(0.0, glow.getDouble("grad-clip-norm"), "a variant overriding the kind gets that kind's defaults");
        assertEquals(0.93, glow.getDouble("lr-decay"));
        assertEquals(50, glow.getInt("warmup-steps"), "and the experiment's keys");
    }

    @Test
    void experimentSubstitutionsSeeTheKindsDefaults() throws Exception {
        Map<String, Config> t = training("""
                experiment.model.kind = resflow
                experiment.training.lr-decay-steps = ${experiment.training.warmup-steps}
                """);
        assertEquals(1000, t.get("default").getDouble("lr-decay-steps"), "resflow's warm-up, not the reference's");
    }

    @Test
    void experimentsCannotChangeAKindsDefaults() throws Exception {
        Path p = dir.resolve("exp.conf");
        Files.writeString(p, "training-defaults.resflow.lr = 1\n");
        ConfigError e = assertThrows(ConfigError.class, () -> Experiment.load(p, List.of()));
        assertTrue(e.getMessage().startsWith(p + ": 1: training-defaults: ") && e.getMessage().contains("experiment.training"),
                e.getMessage());
    }

    @Test
    void everyKindDefaultIsATrainingKeyOfTheRightTypeAndRange() {
        Config reference = REFERENCE.getConfig("experiment.training");
        ConfigObject kinds = REFERENCE.getObject(Experiment.TRAINING_DEFAULTS);
        assertFalse(kinds.isEmpty());
        for (Map.Entry<String, ConfigValue> kind : kinds.entrySet()) {
            Config defaults = ((ConfigObject) kind.getValue()).toConfig();
            String label = Experiment.TRAINING_DEFAULTS + "." + kind.getKey() + ": ";
            defaults.entrySet().forEach(e -> assertTrue(reference.hasPath(e.getKey()), label + e.getKey() + " is not a training key"));
            KnownKeys.checkTypes(defaults, reference, label);
            NumericKeys.check(defaults, "training.", label);
        }
    }
}
