package io.flowbench.tracking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class FlatYamlTest {

    @Test
    void writesWhatItReadsBack() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", "it's \"quoted\": yes\nsecond line\t\\ é \u0001 \u2028");
        m.put("experiment_id", "123456789012345678");
        m.put("end_time", null);
        m.put("status", 3);
        m.put("tags", List.of());
        Map<String, String> back = FlatYaml.read(FlatYaml.write(m));
        assertEquals(m.get("name"), back.get("name"));
        assertEquals("123456789012345678", back.get("experiment_id"));
        assertNull(back.get("end_time"));
        assertEquals("3", back.get("status"));
        assertEquals("[]", back.get("tags"));
    }

    @Test
    void writesKeysSortedAsPyYamlDoes() {
        assertEquals("a: 1\nb: \"x\"\n", FlatYaml.write(Map.of("b", "x", "a", 1)));
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
        Map<String, String> m = FlatYaml.read(pyyaml);
        assertNull(m.get("end_time"));
        assertEquals("123", m.get("experiment_id"));
        assertEquals("a very long experiment name with spaces that goes on and on past the eighty column limit: yes it does",
                m.get("name"));
        assertEquals("word word more words", m.get("plain"));
        assertEquals("it's \"x\"\nsecond line é", m.get("q"));
        assertEquals("folded  escaped space and é", m.get("dq"));
        assertEquals("3", m.get("status"));
    }
}
