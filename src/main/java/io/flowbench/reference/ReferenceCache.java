package io.flowbench.reference;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigRenderOptions;
import io.flowbench.data.ImageDataset;
import io.flowbench.util.AtomicFiles;
import io.flowbench.util.Sha256;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Likelihood references computed once per (train content, test content, n_bits) and kept as small JSON files
 * under {@code <data root>/.cache/likelihood-reference/}: the content hashes identify the exact pixels, so a
 * cached figure is valid for any run that saw the same splits.
 */
public final class ReferenceCache {
    /** Above this many dimensions a D x D eigen-decomposition costs minutes and gigabytes: not done implicitly. */
    public static final int MAX_DIMENSIONS = 4096;

    private final Path dir;

    public ReferenceCache(Path dataRoot) {
        this.dir = dataRoot.resolve(".cache").resolve("likelihood-reference");
    }

    /** Why no reference is computed for these splits, or empty when one is. */
    public static Optional<String> notComputed(ImageDataset train, ImageDataset test) {
        if (train.size() < 2 || test.size() < 2) {
            return Optional.of("a split has fewer than 2 examples");
        }
        if (train.exampleLength() > MAX_DIMENSIONS) {
            return Optional.of(train.exampleLength() + " dimensions: a D x D eigen-decomposition; limit " + MAX_DIMENSIONS);
        }
        return Optional.empty();
    }

    /** The cached figures of these splits, computing and storing them on first use. */
    public LikelihoodReference get(ImageDataset train, ImageDataset test, int nBits) throws IOException {
        Path file = dir.resolve(key(train, test, nBits) + ".json");
        if (Files.isRegularFile(file)) {
            try {
                return read(ConfigFactory.parseFile(file.toFile()));
            } catch (RuntimeException e) {
                Files.delete(file); // a damaged cache entry is recomputed, never trusted
            }
        }
        LikelihoodReference ref = LikelihoodReference.of(train, test, nBits);
        AtomicFiles.writeString(file, ConfigFactory.parseMap(toMap(ref)).root()
                .render(ConfigRenderOptions.concise().setFormatted(true)));
        return ref;
    }

    private static String key(ImageDataset train, ImageDataset test, int nBits) {
        return Sha256.of(train.provenance().contentSha256() + "/" + test.provenance().contentSha256() + "/" + nBits)
                .substring(0, 32);
    }

    private static Map<String, Object> toMap(LikelihoodReference ref) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("n-bits", ref.nBits());
        m.put("dimensions", ref.dimensions());
        m.put("linear", Map.of("train-bpd", ref.linear().trainBpd(), "test-bpd", ref.linear().testBpd()));
        m.put("affine", Map.of("train-bpd", ref.affine().trainBpd(), "test-bpd", ref.affine().testBpd()));
        m.put("diagonal", Map.of("train-bpd", ref.diagonal().trainBpd(), "test-bpd", ref.diagonal().testBpd()));
        return m;
    }

    private static LikelihoodReference read(Config c) {
        return new LikelihoodReference(c.getInt("n-bits"), c.getInt("dimensions"), figure(c.getConfig("linear")),
                figure(c.getConfig("affine")), figure(c.getConfig("diagonal")));
    }

    private static LikelihoodReference.Figure figure(Config c) {
        return new LikelihoodReference.Figure(c.getDouble("train-bpd"), c.getDouble("test-bpd"));
    }
}
