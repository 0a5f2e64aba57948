package io.flowbench.tracking;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * MLflow's meta.yaml files: one {@code key: scalar} per line, written as MLflow's PyYAML
 * {@code yaml.dump(default_flow_style=False, allow_unicode=True)} writes them (SnakeYAML follows PyYAML:
 * keys sorted, strings plain unless they would read back as something else, lines folded at 80 columns), and
 * read with SnakeYAML's safe loader, so that stores MLflow itself wrote are read too.
 */
final class MetaYaml {

    private MetaYaml() {
    }

    /** Keys sorted as PyYAML sorts them; values: String, Number, null, or an empty List ({@code []}). */
    static String write(Map<String, ?> values) {
        DumperOptions o = new DumperOptions();
        o.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        o.setAllowUnicode(true);
        o.setNonPrintableStyle(DumperOptions.NonPrintableStyle.ESCAPE); // as PyYAML: "\x01", not !!binary
        return new Yaml(o).dump(new TreeMap<>(values));
    }

    /**
     * Top-level keys to String (null for YAML null; "[]" for an empty list). A file that is not a YAML mapping
     * is an {@link IllegalArgumentException}.
     */
    static Map<String, String> read(String text) {
        Object doc;
        try {
            doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
        } catch (YAMLException e) {
            throw new IllegalArgumentException("not valid YAML: " + e.getMessage(), e);
        }
        if (!(doc instanceof Map<?, ?> map)) {
            throw new IllegalArgumentException("not a YAML mapping of keys to values");
        }
        Map<String, String> out = new LinkedHashMap<>();
        map.forEach((k, v) -> out.put(String.valueOf(k), v == null ? null : String.valueOf(v)));
        return out;
    }
}
