package io.flowbench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import io.flowbench.flow.LatentShape;
import io.flowbench.model.ModelSpec;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The published figure beside a run, from the run's rebuilt model spec. */
class PublishedResultsTest {

    private static RunInputs cifar(String model, int subset) {
        ModelSpec spec = CompareTest.MODELS.toSpec(ConfigFactory.parseString(model).withFallback(
                        ConfigFactory.parseResources("reference.conf").getConfig("experiment.model")),
                new LatentShape(3, 32, 32), 10);
        return new RunInputs("cifar10", subset, 50000, 10000, 10, spec, null, 44_000_000, Optional.empty());
    }

    @Test
    void aFigureIsComparableOnlyForTheSameArchitectureAndSetting() {
        String glow = "kind = glow, levels = 3, depth = 32, hidden = 512";
        assertEquals("3.35 (Glow paper, Table 2)", PublishedResults.cell(cifar(glow, 0)));
        assertEquals("3.35 (Glow paper, Table 2), not comparable: paper L=3, K=32, width 512, ours L=3, K=32, width 512, "
                + "other setting (subset, bits, conditioning, coupling, factor-out or logit)",
                PublishedResults.cell(cifar(glow + ", glow.coupling = additive", 0)));
        assertEquals("3.35 (Glow paper, Table 2), not comparable: paper L=3, K=32, width 512, ours L=2, K=8, width 128, "
                + "other setting (subset, bits, conditioning, coupling, factor-out or logit)",
                PublishedResults.cell(cifar("kind = glow", 1000)));
        assertEquals("-", PublishedResults.cell(cifar("kind = dlf", 0)), "no DLF figure is listed");
    }
}
