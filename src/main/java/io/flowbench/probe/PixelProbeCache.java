package io.flowbench.probe;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigRenderOptions;
import io.flowbench.data.ImageDataset;
import io.flowbench.util.AtomicFiles;
import io.flowbench.util.Sha256;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The linear probe on raw pixels, the baseline of every run's latent probe: computed once per (training
 * examples, test examples, epochs) and kept as a small JSON file under
 * {@code <data root>/.cache/linear-probe/}. The examples' content hashes identify the exact pixels and labels,
 * so a cached accuracy is valid for any run that probes the same examples.
 */
public final class PixelProbeCache {
    /** Part of the key: a change to how the probe fits (optimiser, standardisation) must bump it. */
    private static final String VERSION = "linear-probe/1";

    private final Path dir;

    public PixelProbeCache(Path dataRoot) {
        this.dir = dataRoot.resolve(".cache").resolve("linear-probe");
    }

    /** The pixel probe's accuracy on these examples, computing and storing it on first use. */
    public LinearProbe.Accuracy get(ImageDataset train, ImageDataset test, LinearProbe probe) throws IOException {
        Path file = dir.resolve(Sha256.of(VERSION + "/" + train.provenance().contentSha256() + "/"
                + test.provenance().contentSha256() + "/" + probe.epochs()).substring(0, 32) + ".json");
        if (Files.isRegularFile(file)) {
            try {
                Config c = ConfigFactory.parseFile(file.toFile());
                return new LinearProbe.Accuracy(c.getDouble("train-accuracy"), c.getDouble("test-accuracy"));
            } catch (RuntimeException e) {
                Files.delete(file); // a damaged cache entry is recomputed, never trusted
            }
        }
        LinearProbe.Accuracy accuracy = probe.fit(LinearProbe.Examples.pixels(train), LinearProbe.Examples.pixels(test));
        AtomicFiles.writeString(file, ConfigFactory.parseMap(Map.of("train-accuracy", accuracy.train(),
                "test-accuracy", accuracy.test())).root().render(ConfigRenderOptions.concise().setFormatted(true)));
        return accuracy;
    }
}
