package io.flowbench.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.inject.Guice;
import io.flowbench.data.DataModule;
import io.flowbench.data.Padding;
import io.flowbench.flow.LatentShape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The data block of an experiment: options, the shape the model sees, and errors naming the key. */
class DataConfigsTest {
    private static final DataConfigs CONFIGS =
            Guice.createInjector(new DataModule(), new ConfigModule()).getInstance(DataConfigs.class);
    @TempDir
    Path dir;

    private Experiment load(String text, String... overrides) throws Exception {
        Path p = dir.resolve("e.conf");
        Files.writeString(p, text);
        return Experiment.load(p, List.of(overrides));
    }

    @Test
    void defaultsGiveFashionMnistAtItsNativeShape() throws Exception {
        Experiment e = load("experiment.name = x");
        DataConfigs.Resolved r = CONFIGS.resolve(e.data(), e.variants().get(0).model());
        assertEquals("fashion-mnist", r.data().dataset());
        assertEquals(Padding.NONE, r.data().pad());
        assertNull(r.data().hflip(), "auto flips");
        assertNull(r.data().path(), "searched");
        assertEquals(2, r.data().levels());
        assertEquals(8, r.data().nBits());
        assertEquals(new LatentShape(1, 28, 28), r.model().input());
    }

    @Test
    void zeroPaddingAndOverridesReachTheModelShape() throws Exception {
        Experiment e = load("experiment { data { pad = zero, subset = 500, hflip = false }, model.levels = 3 }",
                "experiment.model.n-bits=5");
        DataConfigs.Resolved r = CONFIGS.resolve(e.data(), e.variants().get(0).model());
        assertEquals(new LatentShape(1, 32, 32), r.model().input(), "28 padded to a multiple of 8");
        assertEquals(500, r.data().subset());
        assertEquals(Boolean.FALSE, r.data().hflip());
        assertEquals(5, r.data().nBits());
        assertEquals(5, r.model().nBits());
    }

    @Test
    void threeLevelsWithoutPaddingIsRejectedWithTheFix() throws Exception {
        Experiment e = load("experiment.model.levels = 3");
        ConfigError err = assertThrows(ConfigError.class, () -> CONFIGS.resolve(e.data(), e.variants().get(0).model()));
        assertTrue(err.getMessage().contains("not divisible by 2^levels = 8")
                && err.getMessage().contains("pad or resize"), err.getMessage());
    }

    @Test
    void badValuesNameTheKey() throws Exception {
        Experiment e = load("experiment.data.pad = mirror");
        ConfigError err = assertThrows(ConfigError.class, () -> CONFIGS.resolve(e.data(), e.variants().get(0).model()));
        assertTrue(err.getMessage().contains("e.conf") && err.getMessage().contains("pad")
                && err.getMessage().contains("'mirror' is not one of none | zero"), err.getMessage());
        Experiment unknown = load("experiment.data.name = svhn");
        ConfigError err2 = assertThrows(ConfigError.class,
                () -> CONFIGS.resolve(unknown.data(), unknown.variants().get(0).model()));
        assertTrue(err2.getMessage().contains("unknown dataset 'svhn'"), err2.getMessage());
    }

    @Test
    void conditionalModelOnUnlabelledImagesIsRejected() throws Exception {
        Experiment e = load("experiment { data { name = image-folder, resize = 8, channels = 3 }, model.conditional = true }");
        ConfigError err = assertThrows(ConfigError.class, () -> CONFIGS.resolve(e.data(), e.variants().get(0).model()));
        assertTrue(err.getMessage().contains("no class labels"), err.getMessage());
    }

    @Test
    void modelKindsComeFromTheBindings() throws Exception {
        Experiment e = load("experiment.model.kind = realnvp");
        ConfigError err = assertThrows(ConfigError.class, () -> CONFIGS.resolve(e.data(), e.variants().get(0).model()));
        assertTrue(err.getMessage().contains("'realnvp' is not one of") && err.getMessage().contains("glow")
                && err.getMessage().contains("dlf"), err.getMessage());
    }
}
