package io.flowbench.run;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.flowbench.data.DataOptions;
import io.flowbench.data.DatasetRegistry;
import io.flowbench.data.DatasetSplits;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * Loads each distinct set of data options once per experiment (seeds and variants share splits); one per
 * injector, so that what {@link DatasetPreparation} loads before any run is what the runs train on.
 */
@Singleton
public final class DatasetCache {
    private final DatasetRegistry registry;
    private final Map<DataOptions, DatasetSplits> loaded = new HashMap<>();

    @Inject
    public DatasetCache(DatasetRegistry registry) {
        this.registry = registry;
    }

    public DatasetSplits load(DataOptions options) throws IOException {
        DatasetSplits splits = loaded.get(options);
        if (splits == null) {
            splits = registry.load(options);
            loaded.put(options, splits);
        }
        return splits;
    }
}
