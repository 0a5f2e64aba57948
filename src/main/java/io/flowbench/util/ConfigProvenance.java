package io.flowbench.util;

import com.oracle.labs.mlrg.olcut.provenance.Provenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.BooleanProvenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.DoubleProvenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.LongProvenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.StringProvenance;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigValue;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/** A block of a resolved configuration as OLCUT provenance: one typed value per key path, keys sorted. */
public final class ConfigProvenance extends MapProvenance {
    private static final long serialVersionUID = 1L;

    public ConfigProvenance(Config block) {
        super(values(block));
    }

    /** For OLCUT's unmarshalling. */
    public ConfigProvenance(Map<String, Provenance> map) {
        super(map);
    }

    private static Map<String, Provenance> values(Config block) {
        Map<String, Provenance> m = new LinkedHashMap<>();
        Map<String, ConfigValue> sorted = new TreeMap<>();
        block.entrySet().forEach(e -> sorted.put(e.getKey(), e.getValue()));
        sorted.forEach((key, v) -> m.put(key, switch (v.valueType()) {
            case BOOLEAN -> new BooleanProvenance(key, (Boolean) v.unwrapped());
            case NUMBER -> v.unwrapped() instanceof Double d ? new DoubleProvenance(key, d)
                    : new LongProvenance(key, ((Number) v.unwrapped()).longValue());
            case STRING -> new StringProvenance(key, (String) v.unwrapped());
            default -> new StringProvenance(key, v.render());
        }));
        return m;
    }

    @Override
    public String getClassName() {
        return Config.class.getName();
    }
}
