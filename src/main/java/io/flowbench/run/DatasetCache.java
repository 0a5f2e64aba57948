package io.flowbench.run;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.flowbench.data.DataOptions;
import io.flowbench.data.DatasetRegistry;
import io.flowbench.data.DatasetSplits;
import io.flowbench.data.ImageDataset;
import io.flowbench.probe.LinearProbe;
import io.flowbench.probe.PixelProbeCache;
import io.flowbench.reference.LikelihoodReference;
import io.flowbench.reference.ReferenceCache;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Loads each distinct set of data options once per experiment (seeds and variants share splits); one per
 * injector, so that what {@link DatasetPreparation} loads before any run is what the runs train on (also when
 * several train at once).
 */
@Singleton
public final class DatasetCache {
    private final DatasetRegistry registry;
    private final Map<DataOptions, DatasetSplits> loaded = new HashMap<>();

    @Inject
    public DatasetCache(DatasetRegistry registry) {
        this.registry = registry;
    }

    /**
     * The closed-form likelihood reference of these splits at n bits (cached by content hash under the data
     * root), or empty where it is not computed: a split of fewer than 2 examples, or too many dimensions.
     */
    public Optional<LikelihoodReference> likelihoodReference(DatasetSplits splits, int nBits) throws IOException {
        if (ReferenceCache.notComputed(splits.train(), splits.test()).isPresent()) {
            return Optional.empty();
        }
        return Optional.of(new ReferenceCache(registry.locations().dataRoot()).get(splits.train(), splits.test(), nBits));
    }

    /** The linear probe on these examples' pixels (cached by content hash under the data root). */
    public LinearProbe.Accuracy pixelProbe(ImageDataset train, ImageDataset test, LinearProbe probe) throws IOException {
        return new PixelProbeCache(registry.locations().dataRoot()).get(train, test, probe);
    }

    public synchronized DatasetSplits load(DataOptions options) throws IOException {
        DatasetSplits splits = loaded.get(options);
        if (splits == null) {
            splits = registry.load(options);
            loaded.put(options, splits);
        }
        return splits;
    }
}
