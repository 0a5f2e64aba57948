package io.flowbench.tracking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class MlflowNamesTest {

    @Test
    void acceptableKeysStayAsTheyAre() {
        for (String k : List.of("train_bpd", "model.levels", "eval/test bpd", "a-b:c")) {
            assertEquals(k, MlflowNames.key(k));
        }
    }

    @Test
    void keysAreMendedToMlflowsRules() {
        assertEquals("loss_nats_", MlflowNames.key("loss[nats]"));
        assertEquals("a/b", MlflowNames.key("/a//b/"));
        assertEquals("__/x", MlflowNames.key("../x"));
        assertEquals("_", MlflowNames.key("/"));
        assertThrows(IllegalArgumentException.class, () -> MlflowNames.key(" "));
    }

    @Test
    void longKeysAreCutButStayDistinct() {
        String a = "k".repeat(300) + "a";
        String b = "k".repeat(300) + "b";
        assertEquals(MlflowNames.MAX_KEY_LENGTH, MlflowNames.key(a).length());
        assertNotEquals(MlflowNames.key(a), MlflowNames.key(b));
    }

    @Test
    void valuesAreCutToMlflowsLimits() {
        assertEquals(6000, MlflowNames.paramValue("p", "x".repeat(7000)).length());
        assertEquals(8000, MlflowNames.tagValue("t", "x".repeat(9000)).length());
        assertEquals("short", MlflowNames.paramValue("p", "short"));
    }

    @Test
    void nestedMapsFlattenToDottedKeys() {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("model", Map.of("levels", 3));
        config.put("seeds", List.of(1, 2));
        config.put("empty", Map.of());
        config.put("weird key!", true);
        Map<String, String> flat = MlflowNames.flatten(config);
        assertEquals(Map.of("model.levels", "3", "seeds", "[1, 2]", "empty", "{}", "weird key_", "true"), flat);
    }

    @Test
    void experimentNamesAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> MlflowNames.experimentName(""));
        assertThrows(IllegalArgumentException.class, () -> MlflowNames.experimentName("x".repeat(501)));
        assertTrue(MlflowNames.experimentName("glow vs dlf").contains("dlf"));
    }
}
