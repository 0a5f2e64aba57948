package io.flowbench.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.flowbench.config.ConfigError;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.learning.config.AdaMax;
import org.nd4j.linalg.learning.config.Adam;

/** The optimizer a run's training block builds. */
class RunSettingsTest {
    private static final Config REFERENCE = ConfigFactory.parseResources(RunSettingsTest.class.getClassLoader(),
            "reference.conf").getConfig("experiment");

    private static RunSettings with(String key, Object value) {
        return with(REFERENCE, key, value);
    }

    private static RunSettings with(Config base, String key, Object value) {
        return RunSettings.from(base.withValue("training." + key, ConfigValueFactory.fromAnyRef(value)));
    }

    @Test
    void theDefaultsBuildTheOptimizersRunsUsedBeforeTheirBetasWereKeys() {
        RunSettings s = RunSettings.from(REFERENCE);
        AdaMax adaMax = (AdaMax) s.updater();
        assertEquals(new AdaMax().getBeta1(), adaMax.getBeta1(), 0.0);
        assertEquals(new AdaMax().getBeta2(), adaMax.getBeta2(), 0.0);
        assertEquals(new AdaMax().getEpsilon(), adaMax.getEpsilon(), 0.0);
        assertEquals(0.0, s.gradClipNorm(), "no clipping");
        Adam adam = (Adam) with("optimizer", "adam").updater();
        assertEquals(new Adam().getBeta1(), adam.getBeta1(), 0.0);
        assertEquals(new Adam().getBeta2(), adam.getBeta2(), 0.0);
        assertEquals(new Adam().getEpsilon(), adam.getEpsilon(), 0.0);
    }

    @Test
    void betasReachBothOptimizersAndOutOfRangeOnesAreRefused() {
        Config adam = REFERENCE.withValue("training.optimizer", ConfigValueFactory.fromAnyRef("adam"));
        assertEquals(0.99, ((Adam) with(adam, "adam-beta2", 0.99).updater()).getBeta2(), 0.0);
        assertEquals(0.8, ((AdaMax) with("adam-beta1", 0.8).updater()).getBeta1(), 0.0);
        ConfigError e = assertThrows(ConfigError.class, () -> with("adam-beta2", 1.0));
        assertTrue(e.getMessage().contains("training.adam-beta2: must be in [0, 1), got 1.0"), e.getMessage());
        e = assertThrows(ConfigError.class, () -> with("grad-clip-norm", -0.5));
        assertTrue(e.getMessage().contains("training.grad-clip-norm: must be >= 0, got -0.5"), e.getMessage());
    }
}
