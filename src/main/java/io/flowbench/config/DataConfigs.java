package io.flowbench.config;

import com.typesafe.config.Config;
import io.flowbench.data.DataOptions;
import io.flowbench.data.Padding;
import io.flowbench.flow.LatentShape;
import io.flowbench.model.ModelSpec;
import java.nio.file.Path;

/** Maps a resolved {@code data} block (plus the model's levels and bits) to {@link DataOptions}. */
public final class DataConfigs {

    private DataConfigs() {
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
            throw new ConfigError(data.origin().description(), "data", e.getMessage());
        }
    }

    /**
     * Image shape and class count the model will see, from the options alone (no file is read):
     * the dataset's native shape, then resizing, then zero padding to a multiple of 2^levels.
     */
    public static DataShape shapeOf(DataOptions options, Config data) {
        String origin = data.origin().description();
        int channels;
        int height;
        int width;
        int classes;
        switch (options.dataset()) {
            case "fashion-mnist", "mnist" -> {
                channels = 1; height = 28; width = 28; classes = 10;
            }
            case "cifar10" -> {
                channels = 3; height = 32; width = 32; classes = 10;
            }
            case "imagenet32" -> {
                channels = 3; height = 32; width = 32; classes = 1000;
            }
            case "imagenet64" -> {
                channels = 3; height = 64; width = 64; classes = 1000;
            }
            case "image-folder" -> {
                if (options.resize() == 0 || options.channels() == 0) {
                    throw new ConfigError(origin, "data", "image-folder needs resize > 0 and channels = 1 or 3 to fix "
                            + "the model's input shape before any image is read");
                }
                channels = options.channels(); height = 0; width = 0; classes = 0;
            }
            default -> throw new ConfigError(data.getValue("name").origin().description(), "data.name",
                    "unknown dataset '" + options.dataset()
                            + "'; known: fashion-mnist | mnist | cifar10 | imagenet32 | imagenet64 | image-folder");
        }
        if (options.resize() > 0) {
            height = options.resize();
            width = options.resize();
        }
        if (options.pad() == Padding.ZERO) {
            int multiple = 1 << options.levels();
            height = (height + multiple - 1) / multiple * multiple;
            width = (width + multiple - 1) / multiple * multiple;
        }
        return new DataShape(new LatentShape(channels, height, width), classes);
    }

    /** What the model needs to know of a dataset: the image shape and the number of classes (0: unlabelled). */
    public record DataShape(LatentShape shape, int numClasses) { }

    /** Data options and model spec of one variant, checked against each other. */
    public record Resolved(DataOptions data, ModelSpec model) { }

    /** Resolves a variant's model block together with the experiment's data block. */
    public static Resolved resolve(Config data, Config model) {
        DataOptions options = toOptions(data, model.getInt("levels"), model.getInt("n-bits"));
        DataShape shape = shapeOf(options, data);
        return new Resolved(options, ModelConfigs.toSpec(model, shape.shape(), shape.numClasses()));
    }
}
