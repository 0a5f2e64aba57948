package io.flowbench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import io.flowbench.flow.LatentShape;
import io.flowbench.model.ModelSpec;
import io.flowbench.run.RunSettings;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The published figure beside a run, from the run's rebuilt model spec. */
class PublishedResultsTest {

    private static RunInputs cifar(String model, int subset) {
        return run("cifar10", new LatentShape(3, 32, 32), model, subset);
    }

    static RunInputs run(String dataset, LatentShape image, String model, int subset) {
        ModelSpec spec = CompareTest.MODELS.toSpec(ConfigFactory.parseString(model).withFallback(
                        ConfigFactory.parseResources("reference.conf").getConfig("experiment.model")), image, 10);
        return new RunInputs(dataset, subset, 50000, 10000, 10, spec,
                RunSettings.from(ConfigFactory.parseResources("reference.conf").getConfig("experiment")), 44_000_000,
                Optional.empty());
    }

    @Test
    void aFigureIsComparableOnlyForTheSameArchitectureAndSetting() {
        String glow = "kind = glow, levels = 3, depth = 32, hidden = 512";
        assertEquals("3.35 (Glow paper, Table 2)", PublishedResults.cell(cifar(glow, 0)));
        assertEquals("3.35 (Glow paper, Table 2), not comparable: paper L=3, K=32, width 512, ours L=3, K=32, width 512, "
                + "other setting (subset, bits, conditioning, step options, factor-out or logit)",
                PublishedResults.cell(cifar(glow + ", glow.coupling = additive", 0)));
        assertEquals("3.35 (Glow paper, Table 2), not comparable: paper L=3, K=32, width 512, ours L=2, K=8, width 128, "
                + "other setting (subset, bits, conditioning, step options, factor-out or logit)",
                PublishedResults.cell(cifar("kind = glow", 1000)));
        assertEquals("-", PublishedResults.cell(cifar("kind = dlf", 0)), "no DLF figure is listed");
    }

    /** The reference's ImageNet 64x64 model: factor-out, squeeze first, logit 0.05, 4 fc-end blocks of width 128. */
    private static final String RESFLOW_64 = "kind = resflow, levels = 3, depth = 32, hidden = 512, logit-preprocessing = on, "
            + "resflow.fc-end-blocks = 4";

    @Test
    void aResidualFlowFigureIsComparableOnlyForTheReferenceArchitecture() {
        LatentShape i64 = new LatentShape(3, 64, 64);
        assertEquals("3.76 (Residual Flows paper)", PublishedResults.cell(run("imagenet64", i64, RESFLOW_64, 0)));
        // The estimator's settings are training choices, not the architecture.
        assertEquals("3.76 (Residual Flows paper)", PublishedResults.cell(run("imagenet64", i64,
                RESFLOW_64 + ", resflow.gradient = backprop-series, resflow.n-exact = 8, resflow.roulette = geometric", 0)));
        assertEquals("3.76 (Residual Flows paper), not comparable: paper L=3, K=32, width 512, ours L=3, K=32, width 512, "
                + "other setting (subset, bits, conditioning, step options, factor-out or logit)",
                PublishedResults.cell(run("imagenet64", i64, RESFLOW_64.replace("resflow.fc-end-blocks = 4", "resflow.fc-end-blocks = 0"), 0)));
        assertEquals("3.76 (Residual Flows paper), not comparable: paper L=3, K=32, width 512, ours L=3, K=32, width 512, "
                + "other setting (subset, bits, conditioning, step options, factor-out or logit)",
                PublishedResults.cell(run("imagenet64", i64, RESFLOW_64 + ", factor-out = off", 0)));
        // Below 64x64 the reference runs its first scale unsqueezed, which flowbench's skeleton cannot build.
        String cifar = "kind = resflow, levels = 3, depth = 16, hidden = 512, logit-preprocessing = on, resflow.fc-end-blocks = 4";
        assertEquals("3.28 (Residual Flows paper), not comparable: paper L=3, K=16, width 512, first scale on the unsqueezed "
                + "image, ours L=3, K=16, width 512", PublishedResults.cell(cifar(cifar, 0)));
    }
}
