package io.flowbench.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Experiment files are checked before any work: unknown keys (with a suggestion), wrong types, syntax. */
class ExperimentValidationTest {
    @TempDir
    Path dir;

    private ConfigError rejected(String text, String... overrides) throws Exception {
        Path p = dir.resolve("exp.conf");
        Files.writeString(p, text);
        return assertThrows(ConfigError.class, () -> Experiment.load(p, List.of(overrides)));
    }

    @Test
    void typoInAKeySuggestsTheKnownOne() throws Exception {
        ConfigError e = rejected("experiment {\n  model {\n    dept = 4\n  }\n}\n");
        assertTrue(e.getMessage().contains("exp.conf: 3") && e.getMessage().contains("experiment.model.dept")
                && e.getMessage().contains("did you mean experiment.model.depth?"), e.getMessage());
    }

    @Test
    void unknownKeyInsideAVariantIsCaughtToo() throws Exception {
        ConfigError e = rejected("experiment.variants = [ { name = a, model { kind = glow, glow.coupling = affine } },"
                + " { name = b, model.dlf.prts = 4 } ]");
        assertTrue(e.getMessage().contains("experiment.variants[1].model.dlf.prts")
                && e.getMessage().contains("did you mean experiment.variants[1].model.dlf.parts?"), e.getMessage());
    }

    @Test
    void variantWithoutNameIsRejected() throws Exception {
        ConfigError e = rejected("experiment.variants = [ { model.kind = glow } ]");
        assertTrue(e.getMessage().contains("experiment.variants[0]: has no name"), e.getMessage());
    }

    @Test
    void overrideFromTheCommandLineIsCheckedAndNamed() throws Exception {
        ConfigError e = rejected("experiment.name = x", "experiment.training.stepz=5");
        assertTrue(e.getMessage().contains("--set experiment.training.stepz=5")
                && e.getMessage().contains("did you mean experiment.training.steps?"), e.getMessage());
    }

    @Test
    void wrongTypeNamesTheKeyAndTheFile() throws Exception {
        ConfigError e = rejected("experiment.training.steps = lots");
        assertTrue(e.getMessage().contains("exp.conf") && e.getMessage().contains("training.steps"), e.getMessage());
    }

    @Test
    void syntaxErrorNamesTheLine() throws Exception {
        ConfigError e = rejected("experiment {\n  model { depth = 4 \n");
        assertTrue(e.getMessage().contains("exp.conf"), e.getMessage());
    }

    @Test
    void farFetchedKeyGetsNoSuggestion() throws Exception {
        ConfigError e = rejected("experiment.completely-unrelated-setting = 1");
        assertTrue(e.getMessage().contains("unknown key") && !e.getMessage().contains("did you mean"), e.getMessage());
    }

    @Test
    void everyNumericKeyOfTheReferenceHasARangeAndEveryRangeAKey() {
        Config reference = ConfigFactory.parseResources(getClass().getClassLoader(), "reference.conf").getConfig("experiment");
        Set<String> numeric = new TreeSet<>();
        reference.entrySet().stream().filter(e -> e.getValue().valueType() == ConfigValueType.NUMBER)
                .forEach(e -> numeric.add(e.getKey()));
        assertEquals(numeric, new TreeSet<>(NumericKeys.RULES.keySet()));
        NumericKeys.check(reference, "", "experiment."); // the defaults are in range
    }

    @Test
    void wholeNumbersMayBeWrittenWithAnExponentButNotWithAFraction() throws Exception {
        Path p = dir.resolve("e.conf");
        Files.writeString(p, "experiment { name = e, training.steps = 1e4, evaluation.every-steps = 2.0 }");
        assertEquals(10000, Experiment.load(p, List.of()).variants().get(0).training().getLong("steps"));
        ConfigError e = rejected("experiment.training.steps = 1e-1");
        assertTrue(e.getMessage().contains("got 0.1, which is not whole"), e.getMessage());
    }

    @Test
    void includesResolveBesideTheFileAndAMissingOneIsAnError() throws Exception {
        Files.writeString(dir.resolve("common.conf"), "experiment.model.depth = 3");
        Path p = dir.resolve("inc.conf");
        Files.writeString(p, "include \"common.conf\"\nexperiment.name = inc\n");
        assertEquals(3, Experiment.load(p, List.of()).variants().get(0).model().getInt("depth"));
        ConfigError e = rejected("experiment.name = x\ninclude \"comon.conf\"\n");
        assertTrue(e.getMessage().startsWith(dir.resolve("exp.conf") + ": 2: include \"comon.conf\": not found"), e.getMessage());
    }

    @Test
    void validFileLoads() throws Exception {
        Path p = dir.resolve("ok.conf");
        Files.writeString(p, "experiment { name = ok, variants = [ { name = g, model.kind = glow, training.lr = 2e-3 } ] }");
        Experiment exp = Experiment.load(p, List.of("experiment.seeds=[1,2]"));
        assertEquals(List.of(1L, 2L), exp.seeds());
        assertEquals(2e-3, exp.variants().get(0).training().getDouble("lr"));
    }
}
