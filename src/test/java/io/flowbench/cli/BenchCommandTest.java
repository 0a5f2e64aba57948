package io.flowbench.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flowbench.tracking.LocalStore;
import io.flowbench.tracking.RunRecord;
import io.flowbench.tracking.RunStatus;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code flowbench bench} end to end on the tiny preset, a few steps: the table, valid JSON, tracking. */
class BenchCommandTest {
    private static final String[] SHORT = {"--warmup-steps", "2", "--steps", "2", "--warmup-calls", "1", "--calls", "2"};

    @TempDir
    Path dir;

    private static String[] args(String... extra) {
        String[] all = new String[SHORT.length + extra.length + 3];
        all[0] = "bench";
        all[1] = "--preset";
        all[2] = "tiny";
        System.arraycopy(SHORT, 0, all, 3, SHORT.length);
        System.arraycopy(extra, 0, all, 3 + SHORT.length, extra.length);
        return all;
    }

    private static int runQuietly(StringBuilder out, String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(buffer, true, StandardCharsets.UTF_8));
            return FlowbenchCli.run(args);
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
            out.append(buffer.toString(StandardCharsets.UTF_8));
        }
    }

    @Test
    void measuresBothModelsAndWritesJsonAndATrackedRun() throws Exception {
        Path json = dir.resolve("bench.json");
        Path mlruns = dir.resolve("mlruns");
        StringBuilder out = new StringBuilder();
        int code = runQuietly(out, args("--json", json.toString(), "--track",
                "--set", "experiment.tracking.uri=\"" + mlruns.toString().replace("\\", "/") + "\""));
        assertEquals(0, code, out.toString());
        assertTrue(out.toString().contains("images/s") && out.toString().contains("GFLOP/s")
                && out.toString().contains("FMA peak"), out.toString());

        JsonNode results = new ObjectMapper().readTree(json.toFile()).get("results");
        assertEquals(2, results.size());
        assertEquals(List.of("glow", "dlf"), List.of(results.get(0).get("model").asText(), results.get(1).get("model").asText()));
        for (JsonNode r : results) {
            assertEquals("tiny", r.get("preset").asText());
            assertEquals(2, r.get("warmup_step_ms").size());
            assertTrue(r.get("flops").get("forward_per_image").asDouble() > 0);
            double peak = r.get("machine").get("peak_gflops_per_second").asDouble();
            assertTrue(peak > 0, r.get("machine").toString());
            assertTrue(r.get("machine").has("gomp_spin_count"), r.get("machine").toString());
            assertTrue(r.get("machine").has("jvm_options"), r.get("machine").toString());
            assertEquals(peak, Math.max(r.get("machine").get("sgemm_gflops_per_second").asDouble(),
                    r.get("machine").get("convolution_gflops_per_second").asDouble()), 0.0, r.get("machine").toString());
            JsonNode phases = r.get("phases");
            assertEquals(3, phases.size());
            for (JsonNode p : phases) {
                assertTrue(p.get("images_per_second").asDouble() > 0, p.toString());
                assertTrue(p.get("gflops_per_second").asDouble() > 0, p.toString());
                assertEquals(100 * p.get("gflops_per_second").asDouble() / peak, p.get("percent_of_peak").asDouble(), 1e-9,
                        p.toString());
                assertTrue(p.get("peak_heap_bytes").asLong() > 0, p.toString());
                assertTrue(p.get("peak_resident_bytes").asLong() > 0, p.toString());
            }
            assertEquals(4, phases.get(0).get("batch").asInt());
        }

        LocalStore store = new LocalStore(mlruns);
        String experiment = store.experimentByName(BenchCommand.EXPERIMENT).orElseThrow().id();
        List<RunRecord> runs = store.runs(experiment);
        assertEquals(2, runs.size());
        for (RunRecord run : runs) {
            assertEquals(RunStatus.FINISHED, run.status());
            assertFalse(store.metricHistory(run.runId(), "train_images_per_sec").isEmpty());
            assertEquals(Files.readString(json), Files.readString(store.artifactFile(run.runId(), "bench/bench.json")),
                    "each run keeps the report as its artifact");
        }
    }

    @Test
    void oneModelAndAnExperimentFileAsPreset() {
        StringBuilder out = new StringBuilder();
        int code = runQuietly(out, "bench", "--preset", "experiments/bench/tiny.conf", "--model", "dlf",
                "--warmup-steps", "0", "--steps", "1", "--warmup-calls", "0", "--calls", "1");
        assertEquals(0, code, out.toString());
        assertTrue(out.toString().contains("dlf ") && !out.toString().contains("glow "), out.toString());
    }

    @Test
    void unknownPresetOrModelIsAUsageError() {
        StringBuilder out = new StringBuilder();
        assertEquals(FlowbenchCli.USAGE_ERROR, runQuietly(out, "bench", "--preset", "no-such-preset"));
        assertTrue(out.toString().contains("no preset 'no-such-preset'"), out.toString());
        assertEquals(FlowbenchCli.USAGE_ERROR, runQuietly(out, "bench", "--preset", "tiny", "--model", "resnet"));
    }
}
