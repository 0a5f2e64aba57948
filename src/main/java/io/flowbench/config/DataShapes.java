package io.flowbench.config;

import com.typesafe.config.Config;
import io.flowbench.flow.LatentShape;
import java.util.List;

/** Image shape and class count of a configured dataset, known without reading its files. */
public final class DataShapes {

    /** Shape and label count of a dataset. */
    public record Info(LatentShape shape, int numClasses) { }

    private DataShapes() {
    }

    public static Info of(Config data) {
        String name = data.getString("name");
        return switch (name) {
            case "fashion-mnist", "mnist" -> new Info(new LatentShape(1, 28, 28), 10);
            case "cifar10" -> new Info(new LatentShape(3, 32, 32), 10);
            case "imagenet32" -> new Info(new LatentShape(3, 32, 32), 1000);
            case "imagenet64" -> new Info(new LatentShape(3, 64, 64), 1000);
            case "image-folder" -> {
                if (!data.hasPath("image-size")) {
                    throw new ConfigError(data.origin().description(), "data.image-size",
                            "image-folder needs the size its images are resized to, e.g. image-size = [3, 64, 64]");
                }
                List<Integer> s = data.getIntList("image-size");
                yield new Info(new LatentShape(s.get(0), s.get(1), s.get(2)), 0);
            }
            default -> throw new ConfigError(data.getValue("name").origin().description(), "data.name",
                    "unknown dataset '" + name + "'; known: fashion-mnist | mnist | cifar10 | imagenet32 | imagenet64 | image-folder");
        };
    }
}
