package io.flowbench.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.inject.Guice;
import io.flowbench.config.ConfigModule;
import io.flowbench.config.Experiment;
import io.flowbench.data.DataModule;
import io.flowbench.run.ExperimentPlan;
import io.flowbench.run.ExperimentPlanner;
import io.flowbench.run.RunPlan;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The off-heap estimate of {@code cluster.off-heap = auto}: it grows with what holds native memory, it covers the
 * peaks {@code flowbench bench} measured for the presets (recorded below, as in docs/cluster.md) without being
 * absurdly above them, and an explicit size below it is kept, with a warning.
 */
class OffHeapEstimateTest {
    /**
     * A peak off-heap (resident set less the committed heap) of one variant, MiB, over training, evaluation and
     * sampling, measured with {@code bin/flowbench bench --preset=FILE --model=VARIANT --steps=3 --warmup-steps=2
     * --calls=2 --warmup-calls=1} and the overrides, one variant per process (a process that measured another
     * model first keeps its freed native memory resident). Resident memory is the operating system's figure and
     * varies from run to run by a few MiB, so the test compares with the estimate's margin, never for equality.
     */
    private record Measured(String file, String variant, long mib, String... overrides) { }

    private static final List<Measured> MEASURED = List.of(
            new Measured("bench/tiny.conf", "glow", 130), new Measured("bench/tiny.conf", "dlf", 123),
            new Measured("bench/fmnist-quickstart.conf", "glow", 494),
            new Measured("bench/fmnist-quickstart.conf", "dlf", 451),
            new Measured("bench/fmnist-small.conf", "glow", 1498), new Measured("bench/fmnist-small.conf", "dlf", 1114),
            new Measured("bench/cifar10-small.conf", "glow", 2023), new Measured("bench/cifar10-small.conf", "dlf", 1647),
            new Measured("bench/fmnist-small.conf", "resflow", 4192, "experiment.evaluation.batch-size=25",
                    "experiment.evaluation.samples=8"),
            new Measured("fmnist-resflow-vs-glow-dlf.conf", "resflow", 1725));
    /** The estimate may be this much above a measured peak, or above the runtime's share for a tiny model. */
    private static final double MOST_ABOVE = 3.0;

    private static ExperimentPlan plan(String file, String... overrides) {
        return Guice.createInjector(new DataModule(), new ConfigModule()).getInstance(ExperimentPlanner.class)
                .plan(Experiment.load(Path.of("experiments", file), List.of(overrides)));
    }

    private static long estimate(String file, String... overrides) {
        return OffHeapEstimate.largest(plan(file, overrides).runs()).bytes();
    }

    @Test
    void coversEveryMeasuredPeakWithinItsMargin() {
        for (Measured m : MEASURED) {
            RunPlan run = plan(m.file(), m.overrides()).runs().stream().filter(r -> r.variant().equals(m.variant()))
                    .findFirst().orElseThrow();
            long estimated = OffHeapEstimate.of(run).bytes() >> 20;
            String what = m.file() + " " + m.variant() + ": estimate " + estimated + " MiB, measured " + m.mib() + " MiB";
            assertTrue(estimated > m.mib(), what);
            assertTrue(estimated < MOST_ABOVE * Math.max(m.mib(), OffHeapEstimate.RUNTIME_MIB), what);
        }
    }

    @Test
    void growsWithBatchSizesWidthAndImageSize() {
        long base = estimate("bench/fmnist-quickstart.conf");
        assertTrue(estimate("bench/fmnist-quickstart.conf", "experiment.training.batch-size=128") > base, "training batch");
        assertTrue(estimate("bench/fmnist-quickstart.conf", "experiment.evaluation.batch-size=500") > base, "evaluation batch");
        assertTrue(estimate("bench/fmnist-quickstart.conf", "experiment.model.hidden=256") > base, "width");
        assertTrue(estimate("bench/fmnist-quickstart.conf", "experiment.model.depth=16") > base, "depth");
        // The same model on 3x32x32 images instead of 1x28x28.
        assertTrue(estimate("bench/fmnist-quickstart.conf", "experiment.data.name=cifar10") > base, "image size");
    }

    @Test
    void trainingArraysScaleWithTheBatchAndTheRuntimeDoesNot() {
        RunPlan at64 = plan("bench/fmnist-small.conf", "experiment.training.batch-size=64").runs().get(0);
        RunPlan at128 = plan("bench/fmnist-small.conf", "experiment.training.batch-size=128").runs().get(0);
        long more = OffHeapEstimate.of(at128).bytes() - OffHeapEstimate.of(at64).bytes();
        // 64 more images: their training arrays (x 4 bytes) and their im2col scratch, x safety; nothing else.
        double arrays = OffHeapEstimate.SAFETY * 64 * 4 * OffHeapEstimate.TRAINING_COPIES
                * OffHeapEstimate.activationsPerImage(at64.model(), true);
        assertTrue(more > arrays && more < 1.5 * arrays, more + " vs " + arrays);
    }

    @Test
    void largestRunSetsTheLimitAndAnExplicitSizeBelowItIsKeptWithAWarning() {
        ExperimentPlan plan = plan("bench/fmnist-small.conf", "experiment.cluster.off-heap=64m");
        ClusterSettings settings = ClusterSettings.from(plan, null, 0);
        assertEquals(64L << 20, settings.offHeapBytes());
        assertTrue(settings.offHeapNote().startsWith("warning: experiment.cluster.off-heap = 64 MiB is below the estimate of "),
                settings.offHeapNote());

        ClusterSettings auto = ClusterSettings.from(plan("bench/fmnist-small.conf"), null, 0);
        assertEquals(plan("bench/fmnist-small.conf").runs().stream().mapToLong(r -> OffHeapEstimate.of(r).bytes()).max().orElseThrow(),
                auto.offHeapBytes());
        assertTrue(auto.offHeapNote().contains(" MiB for the largest run, "), auto.offHeapNote());
        assertEquals("", ClusterSettings.from(plan("bench/fmnist-small.conf", "experiment.cluster.off-heap=64g"), null, 0).offHeapNote());
    }
}
