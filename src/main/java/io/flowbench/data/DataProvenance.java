package io.flowbench.data;

import io.flowbench.util.Json;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where one split came from and what it holds: the dataset's registry name, the split, the source files
 * (path, size, SHA-256), the example count and image shape, a SHA-256 of the decoded content (see
 * {@link ImageDataset#provenance()}) and the steps applied after decoding. Two runs whose
 * {@code contentSha256} agree trained or evaluated on the same pixels and labels in the same order.
 */
public record DataProvenance(String dataset, String split, List<SourceFile> sources, int examples,
                             int channels, int height, int width, int numClasses, String contentSha256,
                             List<String> derivation) {

    /** Param names under a split's prefix that readers of a run need. */
    public static final String EXAMPLES = "examples";
    public static final String SHAPE = "shape";
    public static final String CLASSES = "classes";

    public DataProvenance {
        sources = List.copyOf(sources);
        derivation = List.copyOf(derivation);
    }

    /** One SHA-256 over the source files' names and hashes (the lines {@code sha256sum} would print). */
    public String sourcesSha256() {
        return SourceFile.manifestSha256(sources);
    }

    /** The image shape as {@code CxHxW}. */
    public String shape() {
        return channels + "x" + height + "x" + width;
    }

    /**
     * Flat key/value pairs for a run tracker (MLflow parameters), every key starting with {@code prefix}
     * (e.g. {@code data.train.}); values stay short: the source list is summarised by its hash.
     */
    public Map<String, String> toParams(String prefix) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(prefix + "dataset", dataset);
        m.put(prefix + EXAMPLES, Integer.toString(examples));
        m.put(prefix + SHAPE, shape());
        m.put(prefix + CLASSES, Integer.toString(numClasses));
        m.put(prefix + "content_sha256", contentSha256);
        m.put(prefix + "sources_sha256", sourcesSha256());
        m.put(prefix + "source", commonSource());
        m.put(prefix + "derivation", derivation.isEmpty() ? "none" : String.join("; ", derivation));
        return m;
    }

    /** The single source file, or the directory holding all of them. */
    public String commonSource() {
        if (sources.isEmpty()) {
            return "(none)";
        }
        if (sources.size() == 1) {
            return sources.get(0).path();
        }
        java.nio.file.Path common = java.nio.file.Path.of(sources.get(0).path()).getParent();
        for (SourceFile f : sources) {
            while (common != null && !java.nio.file.Path.of(f.path()).startsWith(common)) {
                common = common.getParent();
            }
        }
        return (common == null ? "/" : common.toString()) + " (" + sources.size() + " files)";
    }

    /** The whole record as one JSON object. */
    public String toJson() {
        return Json.pretty(toMap());
    }

    /** The record as nested maps and lists, keys in a fixed order (a JSON object). */
    Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("dataset", dataset);
        m.put("split", split);
        m.put("examples", examples);
        m.put("shape", List.of(channels, height, width));
        m.put("classes", numClasses);
        m.put("content_sha256", contentSha256);
        m.put("sources_sha256", sourcesSha256());
        m.put("sources", sources.stream().map(f -> {
            Map<String, Object> file = new LinkedHashMap<>();
            file.put("path", f.path());
            file.put("bytes", f.bytes());
            file.put("sha256", f.sha256());
            return file;
        }).toList());
        m.put("derivation", derivation);
        return m;
    }

    /** The same record as a Tribuo {@code DataSourceProvenance} (marshallable with OLCUT's ProvenanceUtil). */
    public ImageDataSourceProvenance toTribuo() {
        return new ImageDataSourceProvenance(this);
    }
}
