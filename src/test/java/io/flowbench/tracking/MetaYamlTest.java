package io.flowbench.tracking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class MetaYamlTest {

    @Test
    void writesWhatItReadsBack() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", "it's \"quoted\": yes\nsecond line\t\\ é \u0001 \u2028");
        m.put("experiment_id", "123456789012345678");
        m.put("end_time", null);
        m.put("status", 3);
        m.put("tags", List.of());
        Map<String, String> back = MetaYaml.read(MetaYaml.write(m));
        assertEquals(m.get("name"), back.get("name"));
        assertEquals("123456789012345678", back.get("experiment_id"));
        assertNull(back.get("end_time"));
        assertEquals("3", back.get("status"));
        assertEquals("[]", back.get("tags"));
    }

    /** Byte for byte what MLflow's write_yaml (PyYAML 6 dump, default_flow_style=False, allow_unicode=True) writes. */
    @Test
    void writesAsMlflowDoes() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("user_id", "root");
        m.put("artifact_uri", "file:///tmp/mlruns/123456789012345678/0123abcd/artifacts");
        m.put("end_time", null);
        m.put("entry_point_name", "");
        m.put("experiment_id", "123456789012345678");
        m.put("lifecycle_stage", "active");
        m.put("num", "1.5");
        m.put("run_id", "0123abcd");
        m.put("run_name", "glow-k2 seed 1: a long run name with spaces that goes on past the eighty column limit é");
        m.put("source_type", 4);
        m.put("start_time", 1732000000000L);
        m.put("status", 3);
        m.put("tags", List.of());
        m.put("yes", "true");
        assertEquals("""
                artifact_uri: file:///tmp/mlruns/123456789012345678/0123abcd/artifacts
                end_time: null
                entry_point_name: ''
                experiment_id: '123456789012345678'
                lifecycle_stage: active
                num: '1.5'
                run_id: 0123abcd
                run_name: 'glow-k2 seed 1: a long run name with spaces that goes on past the eighty
                  column limit é'
                source_type: 4
                start_time: 1732000000000
                status: 3
                tags: []
                user_id: root
                'yes': 'true'
                """, MetaYaml.write(m));
    }

    /** Exactly what PyYAML's dump (MLflow's write_yaml) wrote for long and multi-line values. */
    @Test
    void readsWhatMlflowWrites() {
        String pyyaml = """
                end_time: null
                experiment_id: '123'
                name: 'a very long experiment name with spaces that goes on and on past the eighty
                  column limit: yes it does'
                plain: word word
                  more words
                q: 'it''s "x"

                  second line é'
                dq: "folded \\
                  \\ escaped space and \\u00e9"
                status: 3
                tags: []
                """;
        Map<String, String> m = MetaYaml.read(pyyaml);
        assertNull(m.get("end_time"));
        assertEquals("123", m.get("experiment_id"));
        assertEquals("a very long experiment name with spaces that goes on and on past the eighty column limit: yes it does",
                m.get("name"));
        assertEquals("word word more words", m.get("plain"));
        assertEquals("it's \"x\"\nsecond line é", m.get("q"));
        assertEquals("folded  escaped space and é", m.get("dq"));
        assertEquals("3", m.get("status"));
    }

    @Test
    void aDamagedFileIsAnError() {
        assertThrows(IllegalArgumentException.class, () -> MetaYaml.read("name: 'unterminated\n"));
        assertThrows(IllegalArgumentException.class, () -> MetaYaml.read("- a list\n"));
    }
}
