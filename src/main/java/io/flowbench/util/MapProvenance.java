package io.flowbench.util;

import com.oracle.labs.mlrg.olcut.provenance.ObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.Provenance;
import com.oracle.labs.mlrg.olcut.util.Pair;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An OLCUT object provenance held as named values, in the order given. A subclass needs a public constructor
 * taking the {@code Map} for OLCUT's unmarshalling ({@code ProvenanceUtil.unmarshalProvenance}).
 */
public abstract class MapProvenance implements ObjectProvenance {
    private static final long serialVersionUID = 1L;

    private final Map<String, Provenance> values;

    /** The values as given, or as unmarshalled (the class name entry OLCUT adds is dropped). */
    protected MapProvenance(Map<String, Provenance> values) {
        Map<String, Provenance> m = new LinkedHashMap<>(values);
        m.remove(CLASS_NAME);
        this.values = Collections.unmodifiableMap(m);
    }

    /** One recorded value, or null. */
    public Provenance get(String key) {
        return values.get(key);
    }

    @Override
    public Iterator<Pair<String, Provenance>> iterator() {
        List<Pair<String, Provenance>> list = new ArrayList<>();
        values.forEach((k, v) -> list.add(new Pair<>(k, v)));
        return list.iterator();
    }

    @Override
    public boolean equals(Object o) {
        return o != null && o.getClass() == getClass() && values.equals(((MapProvenance) o).values);
    }

    @Override
    public int hashCode() {
        return values.hashCode();
    }

    @Override
    public String toString() {
        return generateString(getClass().getSimpleName());
    }
}
