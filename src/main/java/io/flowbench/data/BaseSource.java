package io.flowbench.data;

import java.nio.file.Path;
import java.util.List;

/** What every {@link DatasetSource} has: a name, a description, its flip default, {@code <dataRoot>/<name>}. */
abstract class BaseSource implements DatasetSource {

    private final String name;
    private final String description;
    private final boolean naturalImages;

    BaseSource(String name, String description, boolean naturalImages) {
        this.name = name;
        this.description = description;
        this.naturalImages = naturalImages;
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final String description() {
        return description;
    }

    @Override
    public final boolean naturalImages() {
        return naturalImages;
    }

    /** {@code <dataRoot>/<name>}; sources with package locations add theirs. */
    @Override
    public List<Path> searchPaths(DataLocations locations) {
        return List.of(locations.local(name));
    }

    @Override
    public String toString() {
        return name;
    }
}
