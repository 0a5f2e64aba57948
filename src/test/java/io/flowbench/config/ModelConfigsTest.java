package io.flowbench.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.inject.Guice;
import io.flowbench.flow.FactorOutPolicy;
import io.flowbench.flow.LatentShape;
import io.flowbench.flow.resflow.GradientMode;
import io.flowbench.flow.resflow.Roulette;
import io.flowbench.model.ModelSpec;
import io.flowbench.model.Preprocessing;
import io.flowbench.model.ResFlowStep;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The skeleton keys of the model block: factor-out and logit pre-processing, with their defaults and errors. */
class ModelConfigsTest {
    private static final ModelConfigs CONFIGS = Guice.createInjector(new ConfigModule()).getInstance(ModelConfigs.class);
    private static final LatentShape GREY = new LatentShape(1, 28, 28);
    private static final LatentShape COLOUR = new LatentShape(3, 32, 32);
    @TempDir
    Path dir;

    private ModelSpec spec(LatentShape input, String... overrides) throws Exception {
        Path p = dir.resolve("e.conf");
        Files.writeString(p, "experiment.name = x");
        return CONFIGS.toSpec(Experiment.load(p, List.of(overrides)).variants().get(0).model(), input, 0);
    }

    @Test
    void defaultsFactorOutAndLeaveTheInputAlone() throws Exception {
        for (String kind : List.of("glow", "dlf")) {
            ModelSpec s = spec(GREY, "experiment.model.kind=" + kind);
            assertTrue(s.factorOut(), kind + " factors out by default");
            assertEquals(List.of(new LatentShape(2, 14, 14), new LatentShape(8, 7, 7)), s.layout().latentShapes());
            assertEquals(Preprocessing.NONE, s.preprocessing());
        }
    }

    @Test
    void factorOutOffKeepsEveryDimensionToTheTop() throws Exception {
        ModelSpec s = spec(GREY, "experiment.model.factor-out=off");
        assertFalse(s.factorOut());
        assertEquals(List.of(new LatentShape(16, 7, 7)), s.layout().latentShapes());
    }

    @Test
    void logitAlphaDefaultsByChannelCount() throws Exception {
        assertEquals(Preprocessing.logit(1e-6), spec(GREY, "experiment.model.logit-preprocessing=on").preprocessing());
        assertEquals(Preprocessing.logit(0.05), spec(COLOUR, "experiment.model.logit-preprocessing=on").preprocessing());
        assertEquals(Preprocessing.logit(0.01), spec(COLOUR, "experiment.model.logit-preprocessing=on",
                "experiment.model.logit-alpha=0.01").preprocessing());
    }

    @Test
    void badLogitSettingsNameTheKey() throws Exception {
        ConfigError range = assertThrows(ConfigError.class, () -> spec(GREY, "experiment.model.logit-preprocessing=on",
                "experiment.model.logit-alpha=0.5"));
        assertTrue(range.getMessage().contains("model.logit-alpha") && range.getMessage().contains("(0, 0.5)"), range.getMessage());
        ConfigError word = assertThrows(ConfigError.class, () -> spec(GREY, "experiment.model.logit-preprocessing=on",
                "experiment.model.logit-alpha=small"));
        assertTrue(word.getMessage().contains("model.logit-alpha") && word.getMessage().contains("neither auto nor a number"),
                word.getMessage());
        ConfigError mode = assertThrows(ConfigError.class, () -> spec(GREY, "experiment.model.logit-preprocessing=yes"));
        assertTrue(mode.getMessage().contains("logit-preprocessing") && mode.getMessage().contains("off | on"), mode.getMessage());
    }

    @Test
    void factorOutPolicyDefaultsToChannelsAndReadsItsOptions() throws Exception {
        assertEquals(FactorOutPolicy.CHANNELS, spec(GREY).factorOutPolicy());
        assertEquals(new FactorOutPolicy(FactorOutPolicy.Kind.LIKELIHOOD_CONTRIBUTION, FactorOutPolicy.Order.LOWEST, 7),
                spec(GREY, "experiment.model.factor-out-policy=likelihood-contribution",
                        "experiment.model.factor-out-order=lowest", "experiment.model.factor-out-warmup-steps=7").factorOutPolicy());
        assertEquals(FactorOutPolicy.Kind.CHECKERBOARD,
                spec(GREY, "experiment.model.kind=glow", "experiment.model.factor-out-policy=checkerboard").factorOutPolicy().kind());
        FactorOutPolicy restart = spec(GREY, "experiment.model.factor-out-policy=likelihood-contribution",
                "experiment.model.factor-out-after-warmup=restart").factorOutPolicy();
        assertEquals(FactorOutPolicy.AfterWarmup.RESTART, restart.afterWarmup());
        assertEquals(100, restart.restartStep(), "restarts after the default warm-up");
        assertEquals(0, spec(GREY, "experiment.model.factor-out-policy=likelihood-contribution").factorOutPolicy().restartStep(),
                "continue is the default: no restart");
    }

    @Test
    void badFactorOutSettingsNameTheKey() throws Exception {
        ConfigError policy = assertThrows(ConfigError.class, () -> spec(GREY, "experiment.model.factor-out-policy=pixels"));
        assertTrue(policy.getMessage().contains("factor-out-policy: 'pixels' is not one of channels | checkerboard | random"
                + " | likelihood-contribution"), policy.getMessage());
        ConfigError order = assertThrows(ConfigError.class, () -> spec(GREY, "experiment.model.factor-out-order=middle"));
        assertTrue(order.getMessage().contains("factor-out-order: 'middle' is not one of highest | lowest"), order.getMessage());
        ConfigError warmup = assertThrows(ConfigError.class, () -> spec(GREY,
                "experiment.model.factor-out-policy=likelihood-contribution", "experiment.model.factor-out-warmup-steps=0"));
        assertTrue(warmup.getMessage().contains("model.factor-out-warmup-steps: ") && warmup.getMessage().contains(">= 1"),
                warmup.getMessage());
        ConfigError none = assertThrows(ConfigError.class, () -> spec(GREY,
                "experiment.model.factor-out=off", "experiment.model.factor-out-policy=random"));
        assertTrue(none.getMessage().contains("model.factor-out-policy: random chooses what a factor-out sends")
                && none.getMessage().contains("set model.factor-out = on"), none.getMessage());
        ConfigError after = assertThrows(ConfigError.class, () -> spec(GREY, "experiment.model.factor-out-after-warmup=reset"));
        assertTrue(after.getMessage().contains("factor-out-after-warmup: 'reset' is not one of continue | restart"),
                after.getMessage());
        ConfigError noWarmup = assertThrows(ConfigError.class, () -> spec(GREY, "experiment.model.factor-out-after-warmup=restart"));
        assertTrue(noWarmup.getMessage().contains("model.factor-out-after-warmup: restart only applies to likelihood-contribution's"
                + " warm-up, but model.factor-out-policy = channels"), noWarmup.getMessage());
    }

    @Test
    void resflowReadsItsKeysAndFactorsOutByDefaultOnlyFrom64x64() throws Exception {
        ModelSpec s = spec(GREY, "experiment.model.kind=resflow");
        assertEquals(ResFlowStep.of(0.98, Roulette.POISSON, 2, 20, GradientMode.NEUMANN, true), s.step());
        assertFalse(s.factorOut(), "28x28: the reference keeps every dimension");
        assertFalse(spec(COLOUR, "experiment.model.kind=resflow").factorOut(), "32x32 too");
        assertTrue(spec(new LatentShape(3, 64, 64), "experiment.model.kind=resflow").factorOut(), "64x64 factors out");
        assertTrue(spec(GREY, "experiment.model.kind=resflow", "experiment.model.factor-out=on").factorOut());
        assertEquals(ResFlowStep.of(0.9, Roulette.GEOMETRIC, 3, 10, GradientMode.BACKPROP_SERIES, false, 4, 32),
                spec(GREY, "experiment.model.kind=resflow", "experiment.model.resflow.coefficient=0.9",
                        "experiment.model.resflow.roulette=geometric", "experiment.model.resflow.n-exact=3",
                        "experiment.model.resflow.eval-n-exact=10", "experiment.model.resflow.gradient=backprop-series",
                        "experiment.model.resflow.pre-activation=off", "experiment.model.resflow.fc-end-blocks=4",
                        "experiment.model.resflow.fc-end-hidden=32").step());
    }

    @Test
    void badResflowSettingsNameTheKey() throws Exception {
        ConfigError roulette = assertThrows(ConfigError.class, () -> spec(GREY, "experiment.model.kind=resflow",
                "experiment.model.resflow.roulette=binomial"));
        assertTrue(roulette.getMessage().contains("resflow.roulette: 'binomial' is not one of poisson | geometric"),
                roulette.getMessage());
        ConfigError preActivation = assertThrows(ConfigError.class, () -> spec(GREY, "experiment.model.kind=resflow",
                "experiment.model.resflow.pre-activation=maybe"));
        assertTrue(preActivation.getMessage().contains("resflow.pre-activation"), preActivation.getMessage());
        // Ranges are NumericKeys rules, checked before reading; the reader still refuses what slips past them.
        ConfigError coefficient = assertThrows(ConfigError.class, () -> spec(GREY, "experiment.model.kind=resflow",
                "experiment.model.resflow.coefficient=1.5"));
        assertTrue(coefficient.getMessage().contains("model.resflow") && coefficient.getMessage().contains("(0, 1)"),
                coefficient.getMessage());
    }
}
