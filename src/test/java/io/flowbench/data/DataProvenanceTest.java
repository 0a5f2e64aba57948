package io.flowbench.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.oracle.labs.mlrg.olcut.provenance.ObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.ProvenanceUtil;
import com.oracle.labs.mlrg.olcut.provenance.io.ObjectMarshalledProvenance;
import com.oracle.labs.mlrg.olcut.provenance.primitives.HashProvenance;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.shade.jackson.databind.JsonNode;
import org.nd4j.shade.jackson.databind.ObjectMapper;

class DataProvenanceTest {

    @TempDir
    Path dir;

    @BeforeEach
    void writeFiles() throws Exception {
        TestData.writeFashionMnist(dir, 7, 2);
    }

    private ImageDataset loaded() throws Exception {
        FashionMnistSource s = new FashionMnistSource();
        return s.load(s.find(dir), DataOptions.builder("fashion-mnist").build()).train();
    }

    @Test
    void recordsNameSourcesCountsAndHashes() throws Exception {
        DataProvenance p = loaded().provenance();
        assertEquals("fashion-mnist", p.dataset());
        assertEquals("train", p.split());
        assertEquals(7, p.examples());
        assertEquals("1x28x28", p.shape());
        assertEquals(2, p.sources().size());
        assertEquals(SourceFile.of(dir.resolve("train-images-idx3-ubyte.gz")), p.sources().get(0));
        Map<String, String> params = p.toParams("data.train.");
        assertEquals("7", params.get("data.train.examples"));
        assertEquals(p.contentSha256(), params.get("data.train.content_sha256"));
        assertEquals(dir.toAbsolutePath() + " (2 files)", params.get("data.train.source"));
        assertTrue(params.values().stream().allMatch(v -> v.length() <= 500), "fits MLflow's parameter limit");
    }

    @Test
    void tribuoFormRoundTripsThroughOlcutMarshalling() throws Exception {
        DataProvenance p = loaded().provenance();
        ImageDataSourceProvenance tribuo = p.toTribuo();

        List<ObjectMarshalledProvenance> marshalled = ProvenanceUtil.marshalProvenance(tribuo);
        ObjectProvenance back = ProvenanceUtil.unmarshalProvenance(marshalled);

        assertEquals(tribuo, back);
        assertEquals(p.contentSha256(), ((HashProvenance) tribuo.get(ImageDataSourceProvenance.CONTENT_HASH)).getValue());
        assertTrue(tribuo.toString().contains(p.sources().get(1).sha256()), tribuo.toString());
    }

    @Test
    void equalDataGivesEqualProvenanceAndOtherDataDoesNot() throws Exception {
        DataProvenance a = loaded().provenance();
        DataProvenance b = loaded().provenance();
        assertEquals(a, b);
        assertEquals(a.toTribuo(), b.toTribuo());
        Files.write(dir.resolve("train-labels-idx1-ubyte.gz"),
                TestData.gzip(TestData.idx(new int[] {7}, new byte[] {1, 1, 1, 1, 1, 1, 1})));
        DataProvenance c = loaded().provenance();
        assertNotEquals(a.contentSha256(), c.contentSha256());
        assertNotEquals(a.sourcesSha256(), c.sourcesSha256());
    }

    @Test
    void jsonIsValidAndComplete() throws Exception {
        ImageDataset d = loaded().select(new int[] {1, 2}, "validation", "a \"quoted\" step\\");
        JsonNode json = new ObjectMapper().readTree(d.provenance().toJson());
        assertEquals("validation", json.get("split").asText());
        assertEquals(2, json.get("examples").asInt());
        assertEquals(28, json.get("shape").get(2).asInt());
        assertEquals(2, json.get("sources").size());
        assertEquals(d.sources().get(0).sha256(), json.get("sources").get(0).get("sha256").asText());
        assertEquals("a \"quoted\" step\\", json.get("derivation").get(0).asText());
    }
}
