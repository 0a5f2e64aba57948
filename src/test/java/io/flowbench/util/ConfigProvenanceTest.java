package io.flowbench.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.oracle.labs.mlrg.olcut.config.json.JsonProvenanceSerialization;
import com.oracle.labs.mlrg.olcut.provenance.primitives.BooleanProvenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.DoubleProvenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.LongProvenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.StringProvenance;
import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;

class ConfigProvenanceTest {

    @Test
    void aConfigBlockRoundTripsThroughOlcutJsonWithItsTypes() throws Exception {
        ConfigProvenance p = new ConfigProvenance(ConfigFactory.parseString(
                "kind = glow, levels = 3, lr = 1e-3, conditional = false, glow { coupling = affine }"));
        JsonProvenanceSerialization json = new JsonProvenanceSerialization(true);
        ConfigProvenance back = (ConfigProvenance) json.deserializeAndUnmarshal(json.marshalAndSerialize(p));
        assertEquals(p, back);
        assertEquals(3L, ((LongProvenance) back.get("levels")).getValue());
        assertEquals(1e-3, ((DoubleProvenance) back.get("lr")).getValue());
        assertEquals(false, ((BooleanProvenance) back.get("conditional")).getValue());
        assertEquals("affine", ((StringProvenance) back.get("glow.coupling")).getValue());
        assertNotEquals(p, new ConfigProvenance(ConfigFactory.parseString(
                "kind = glow, levels = 2, lr = 1e-3, conditional = false, glow { coupling = affine }")));
    }
}
