package io.flowbench.data;

import java.nio.file.Path;
import java.util.Map;

/**
 * Where datasets are looked for: {@code <dataRoot>/<name>} first (the repository's {@code data/} folder
 * unless configured), then each dataset's package locations. The root comes from the system property
 * {@code flowbench.data.dir}, else the environment variable {@code FLOWBENCH_DATA_DIR}, else {@code data}
 * under the working directory.
 */
public record DataLocations(Path dataRoot) {

    public static final String PROPERTY = "flowbench.data.dir";
    public static final String ENVIRONMENT = "FLOWBENCH_DATA_DIR";

    public DataLocations {
        dataRoot = dataRoot.toAbsolutePath().normalize();
    }

    /** The root configured by system property or environment, else {@code ./data}. */
    public static DataLocations fromEnvironment() {
        return from(System.getProperty(PROPERTY), System.getenv());
    }

    static DataLocations from(String property, Map<String, String> env) {
        String root = property != null && !property.isBlank() ? property : env.get(ENVIRONMENT);
        return new DataLocations(Path.of(root != null && !root.isBlank() ? root : "data"));
    }

    /** {@code <dataRoot>/<name>}. */
    public Path local(String datasetName) {
        return dataRoot.resolve(datasetName);
    }
}
