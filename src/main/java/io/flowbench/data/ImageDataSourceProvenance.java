package io.flowbench.data;

import com.oracle.labs.mlrg.olcut.provenance.ListProvenance;
import com.oracle.labs.mlrg.olcut.provenance.Provenance;
import com.oracle.labs.mlrg.olcut.provenance.ProvenanceUtil;
import com.oracle.labs.mlrg.olcut.provenance.primitives.HashProvenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.IntProvenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.LongProvenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.StringProvenance;
import io.flowbench.util.MapProvenance;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tribuo.provenance.DataSourceProvenance;

/**
 * {@link DataProvenance} in Tribuo's form: an OLCUT object provenance of primitive provenances, with the
 * source files' SHA-256 as {@link HashProvenance}s exactly as Tribuo's data sources record them. It has the
 * {@code Map} constructor OLCUT needs, so {@code ProvenanceUtil.marshalProvenance} / {@code unmarshalProvenance}
 * round-trip it. No creation time is recorded: equal data gives equal provenance.
 */
public final class ImageDataSourceProvenance extends MapProvenance implements DataSourceProvenance {

    private static final long serialVersionUID = 1L;

    public static final String DATASET = "dataset";
    public static final String SPLIT = "split";
    public static final String EXAMPLES = "examples";
    public static final String CHANNELS = "channels";
    public static final String HEIGHT = "height";
    public static final String WIDTH = "width";
    public static final String CLASSES = "classes";
    public static final String CONTENT_HASH = "content-hash";
    public static final String SOURCE_PATHS = "source-paths";
    public static final String SOURCE_SIZES = "source-sizes";
    public static final String SOURCE_HASHES = "source-resource-hashes";
    public static final String DERIVATION = "derivation";

    ImageDataSourceProvenance(DataProvenance p) {
        super(values(p));
    }

    /** For OLCUT's unmarshalling. */
    public ImageDataSourceProvenance(Map<String, Provenance> map) {
        super(map);
    }

    private static Map<String, Provenance> values(DataProvenance p) {
        Map<String, Provenance> m = new LinkedHashMap<>();
        m.put(DATASET, new StringProvenance(DATASET, p.dataset()));
        m.put(SPLIT, new StringProvenance(SPLIT, p.split()));
        m.put(EXAMPLES, new IntProvenance(EXAMPLES, p.examples()));
        m.put(CHANNELS, new IntProvenance(CHANNELS, p.channels()));
        m.put(HEIGHT, new IntProvenance(HEIGHT, p.height()));
        m.put(WIDTH, new IntProvenance(WIDTH, p.width()));
        m.put(CLASSES, new IntProvenance(CLASSES, p.numClasses()));
        m.put(CONTENT_HASH, new HashProvenance(ProvenanceUtil.HashType.SHA256, CONTENT_HASH, p.contentSha256()));
        List<StringProvenance> paths = new ArrayList<>();
        List<LongProvenance> sizes = new ArrayList<>();
        List<HashProvenance> hashes = new ArrayList<>();
        for (SourceFile f : p.sources()) {
            paths.add(new StringProvenance(SOURCE_PATHS, f.path()));
            sizes.add(new LongProvenance(SOURCE_SIZES, f.bytes()));
            hashes.add(new HashProvenance(ProvenanceUtil.HashType.SHA256, SOURCE_HASHES, f.sha256()));
        }
        m.put(SOURCE_PATHS, new ListProvenance<>(paths));
        m.put(SOURCE_SIZES, new ListProvenance<>(sizes));
        m.put(SOURCE_HASHES, new ListProvenance<>(hashes));
        List<StringProvenance> steps = new ArrayList<>();
        for (String s : p.derivation()) {
            steps.add(new StringProvenance(DERIVATION, s));
        }
        m.put(DERIVATION, new ListProvenance<>(steps));
        return m;
    }

    @Override
    public String getClassName() {
        return ImageDataset.class.getName();
    }

    @Override
    public String toString() {
        return generateString("DataSource");
    }
}
