package io.flowbench.data;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** What every {@link DatasetSource} has: a name, a description, its flip default, {@code <dataRoot>/<name>}. */
abstract class BaseSource implements DatasetSource {

    private final StoredShape storedShape;
    private final String name;
    private final String description;
    private final boolean naturalImages;

    /** @param storedShape the images' shape when the format fixes it, else null */
    BaseSource(StoredShape storedShape, String name, String description, boolean naturalImages) {
        this.storedShape = storedShape;
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
    public final Optional<StoredShape> storedShape() {
        return Optional.ofNullable(storedShape);
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
