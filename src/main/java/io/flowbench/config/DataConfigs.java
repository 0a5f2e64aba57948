package io.flowbench.config;

import com.google.inject.Inject;
import com.typesafe.config.Config;
import io.flowbench.data.DataOptions;
import io.flowbench.data.DatasetRegistry;
import io.flowbench.data.DatasetSource;
import io.flowbench.data.Padding;
import io.flowbench.flow.LatentShape;
import io.flowbench.model.ModelSpec;
import java.nio.file.Path;

/** Maps a resolved {@code data} block (plus the model's levels and bits) to {@link DataOptions}. */
public final class DataConfigs {
    private final DatasetRegistry registry;
    private final ModelConfigs models;

    @Inject
    public DataConfigs(DatasetRegistry registry, ModelConfigs models) {
        this.registry = registry;
        this.models = models;
    }

    public static DataOptions toOptions(Config data, int levels, int nBits) {
        String hflip = ModelConfigs.enumValue(data, "hflip", "auto", "true", "false");
        try {
            String path = data.getString("path");
            return DataOptions.builder(data.getString("name"))
                    .path(path.isBlank() ? null : Path.of(path))
                    .subset(data.getInt("subset"))
                    .testSubset(data.getInt("test-subset"))
                    .validation(data.getInt("validation"))
                    .seed(data.getLong("seed"))
                    .shuffle(data.getBoolean("shuffle"))
                    .nBits(nBits)
                    .levels(levels)
                    .pad(Padding.parse(ModelConfigs.enumValue(data, "pad", "none", "zero")))
                    .resize(data.getInt("resize"))
                    .hflip(hflip.equals("auto") ? null : Boolean.valueOf(hflip))
                    .channels(data.getInt("channels"))
                    .testPercent(data.getInt("test-percent"))
                    .build();
        } catch (IllegalArgumentException e) {
            throw new ConfigError(data.getValue("name").origin().description(), "experiment.data", e.getMessage());
        }
    }

    /**
     * Image shape and class count the model will see, from the options alone (no file is read):
     * the dataset's native shape, then resizing, then zero padding to a multiple of 2^levels.
     */
    public DataShape shapeOf(DataOptions options, Config data) {
        DatasetSource source;
        try {
            source = registry.source(options.dataset());
        } catch (IllegalArgumentException e) {
            throw new ConfigError(data.getValue("name").origin().description(), "data.name", e.getMessage());
        }
        DatasetSource.StoredShape stored = source.storedShape().orElse(null);
        if (stored == null && (options.resize() == 0 || options.channels() == 0)) {
            throw new ConfigError(data.getValue("name").origin().description(), "experiment.data", options.dataset()
                    + " needs resize > 0 and "
                    + "channels = 1 or 3 to fix the model's input shape before any image is read");
        }
        int channels = stored != null ? stored.channels() : options.channels();
        int height = options.resize() > 0 ? options.resize() : stored.height();
        int width = options.resize() > 0 ? options.resize() : stored.width();
        if (options.pad() == Padding.ZERO) {
            int multiple = 1 << options.levels();
            height = (height + multiple - 1) / multiple * multiple;
            width = (width + multiple - 1) / multiple * multiple;
        }
        return new DataShape(new LatentShape(channels, height, width), stored != null ? stored.classes() : 0);
    }

    /** What the model needs to know of a dataset: the image shape and the number of classes (0: unlabelled). */
    public record DataShape(LatentShape shape, int numClasses) { }

    /** Data options and model spec of one variant, checked against each other. */
    public record Resolved(DataOptions data, ModelSpec model) { }

    /** Resolves a variant's model block together with the experiment's data block. */
    public Resolved resolve(Config data, Config model) {
        DataOptions options = toOptions(data, model.getInt("levels"), model.getInt("n-bits"));
        DataShape shape = shapeOf(options, data);
        return new Resolved(options, models.toSpec(model, shape.shape(), shape.numClasses()));
    }
}
