package io.flowbench.tracking;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import javax.imageio.ImageIO;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The small experiment every tracking integration test records, logged through the {@link Tracker} the way
 * the trainer logs (a parent run for the experiment, one nested run per model variant, flattened config
 * params, per-step metric histories, tags, a PNG sample grid and a text logged from memory, a report logged
 * from a file), and what MLflow's REST API must then show. In two halves, so the outage test can kill the server between them.
 */
final class TinyExperiment {
    static final String PARENT = "quickstart";
    static final List<String> MODELS = List.of("glow", "dlf");
    static final int STEPS = 6;

    final String name = "flowbench-it-" + UUID.randomUUID().toString().substring(0, 8);
    private final Path files;
    /** run name to expected params / tags / metric histories (key to values by step) / artifacts (path to bytes). */
    final Map<String, Map<String, String>> params = new TreeMap<>();
    final Map<String, Map<String, String>> tags = new TreeMap<>();
    final Map<String, Map<String, List<Double>>> metrics = new TreeMap<>();
    final Map<String, Map<String, byte[]>> artifacts = new TreeMap<>();

    private String experimentId;
    private TrackedRun parent;
    private TrackedRun first;

    TinyExperiment(Path scratch) {
        this.files = scratch;
    }

    /** Experiment, parent run, first model run with half its steps. */
    void firstHalf(Tracker tracker) {
        experimentId = tracker.experiment(name);
        parent = tracker.startRun(experimentId, PARENT, Map.of("flowbench.kind", "experiment"), null);
        Map<String, Object> experimentParams = new LinkedHashMap<>();
        experimentParams.put("experiment", Map.of("name", name, "seeds", List.of(1)));
        parent.logParams(experimentParams);
        expectParams(PARENT, Map.of("experiment.name", name, "experiment.seeds", "[1]"));
        expectTags(PARENT, Map.of("flowbench.kind", "experiment", MlflowTags.RUN_NAME, PARENT));
        first = startModel(tracker, MODELS.get(0));
        logSteps(first, 0, STEPS / 2);
    }

    /** The rest: the first run's other steps and artifacts, the second model run, the parent's report. */
    void secondHalf(Tracker tracker) {
        logSteps(first, STEPS / 2, STEPS);
        finishModel(first);
        TrackedRun second = startModel(tracker, MODELS.get(1));
        logSteps(second, 0, STEPS);
        finishModel(second);
        Path report = write("summary.md", "| model | test bpd |\n|---|---|\n| glow | 3.1 |\n| dlf | 3.0 |\n");
        parent.logArtifact(report, "reports");
        expectArtifact(PARENT, "reports/summary.md", report);
        parent.end(RunStatus.FINISHED);
    }

    private TrackedRun startModel(Tracker tracker, String model) {
        String run = model + "-seed1";
        Map<String, String> t = Map.of("model", model, "dataset.hash", "sha256:0a1b2c", MlflowTags.GIT_COMMIT,
                "0123456789abcdef0123456789abcdef01234567");
        TrackedRun r = tracker.startRun(experimentId, run, t, parent.id());
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("model", Map.of("kind", model, "levels", 3, "steps", 8));
        config.put("train", Map.of("lr", 0.001, "optimizer", "adamax"));
        config.put("seed", 1);
        r.logParams(config);
        expectParams(run, Map.of("model.kind", model, "model.levels", "3", "model.steps", "8", "train.lr", "0.001",
                "train.optimizer", "adamax", "seed", "1"));
        expectTags(run, t);
        tags.get(run).put(MlflowTags.RUN_NAME, run);
        return r;
    }

    private void logSteps(TrackedRun run, int from, int to) {
        for (int step = from; step < to; step++) {
            double bpd = 8.0 / (1 + step) + (run.name().startsWith("dlf") ? 0.0 : 0.25);
            double lr = 0.001 * Math.pow(0.93, step);
            Map<String, Double> values = new LinkedHashMap<>();
            values.put("train_bpd", bpd);
            values.put("learning_rate", lr);
            values.put("images_per_s", 100.0 + step);
            run.logMetrics(values, step);
            values.forEach((k, v) -> metrics.computeIfAbsent(run.name(), x -> new TreeMap<>())
                    .computeIfAbsent(k, x -> new ArrayList<>()).add(v));
        }
    }

    private void finishModel(TrackedRun run) {
        run.logMetric("test_bpd", run.name().startsWith("dlf") ? 3.0 : 3.1, STEPS - 1);
        metrics.get(run.name()).put("test_bpd", List.of(run.name().startsWith("dlf") ? 3.0 : 3.1));
        BufferedImage grid = grid(run.name());
        run.logImage(grid, "samples/" + run.name() + ".png");
        artifacts.computeIfAbsent(run.name(), x -> new TreeMap<>()).put("samples/" + run.name() + ".png", png(grid));
        String config = "model { kind = " + run.name() + " }\n";
        run.logText(config, run.name() + ".conf");
        artifacts.get(run.name()).put(run.name() + ".conf", config.getBytes(StandardCharsets.UTF_8));
        run.setTag("result", "finished");
        tags.get(run.name()).put("result", "finished");
        run.end(RunStatus.FINISHED);
    }

    /** Checks through MLflow's REST API that the server holds exactly this experiment. */
    void verify(MlflowRest rest) {
        String expId = rest.experimentId(name);
        assertEquals(MlflowTags.MODEL_TRAINING, rest.experimentTags(expId).get(MlflowTags.EXPERIMENT_KIND),
                "the experiment is tagged as model training");
        List<JsonNode> runs = rest.runs(expId);
        Map<String, JsonNode> byName = new TreeMap<>();
        for (JsonNode r : runs) {
            byName.put(r.path("info").path("run_name").asText(), r);
        }
        assertEquals(3, runs.size(), () -> "runs on the server: " + byName.keySet());
        assertEquals(params.keySet(), byName.keySet());
        String parentId = byName.get(PARENT).path("info").path("run_id").asText();
        for (Map.Entry<String, JsonNode> e : byName.entrySet()) {
            String run = e.getKey();
            JsonNode info = e.getValue().path("info");
            String runId = info.path("run_id").asText();
            assertEquals("FINISHED", info.path("status").asText(), run);
            assertTrue(info.path("end_time").asLong() >= info.path("start_time").asLong(), run);
            Map<String, String> serverTags = MlflowRest.keyValues(e.getValue().path("data").path("tags"));
            if (run.equals(PARENT)) {
                assertTrue(!serverTags.containsKey(MlflowTags.PARENT_RUN_ID), "the parent is not nested");
            } else {
                assertEquals(parentId, serverTags.get(MlflowTags.PARENT_RUN_ID), run + " is nested under the parent");
            }
            tags.get(run).forEach((k, v) -> assertEquals(v, serverTags.get(k), run + " tag " + k));
            assertEquals(params.get(run), MlflowRest.keyValues(e.getValue().path("data").path("params")), run + " params");
            for (Map.Entry<String, List<Double>> m : metrics.getOrDefault(run, Map.of()).entrySet()) {
                List<JsonNode> history = rest.metricHistory(runId, m.getKey());
                history.sort(java.util.Comparator.comparingLong(h -> h.path("step").asLong()));
                List<Double> values = history.stream().map(h -> h.path("value").asDouble()).toList();
                assertEquals(m.getValue(), values, run + " history of " + m.getKey());
                if (!m.getKey().equals("test_bpd")) {
                    List<Long> steps = history.stream().map(h -> h.path("step").asLong()).toList();
                    assertEquals(java.util.stream.LongStream.range(0, STEPS).boxed().toList(), steps, run + " steps");
                }
            }
            Map<String, Long> listed = rest.artifacts(runId);
            Map<String, byte[]> expected = artifacts.getOrDefault(run, Map.of());
            assertEquals(expected.keySet(), listed.keySet(), run + " artifacts");
            for (Map.Entry<String, byte[]> a : expected.entrySet()) {
                assertEquals(a.getValue().length, listed.get(a.getKey()), run + " size of " + a.getKey());
                assertArrayEquals(a.getValue(), rest.download(runId, a.getKey()), run + " content of " + a.getKey());
            }
        }
    }

    private void expectParams(String run, Map<String, String> p) {
        params.computeIfAbsent(run, x -> new TreeMap<>()).putAll(p);
    }

    private void expectTags(String run, Map<String, String> t) {
        tags.computeIfAbsent(run, x -> new TreeMap<>()).putAll(t);
    }

    private void expectArtifact(String run, String path, Path file) {
        try {
            artifacts.computeIfAbsent(run, x -> new TreeMap<>()).put(path, Files.readAllBytes(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Path write(String fileName, String text) {
        try {
            return Files.writeString(Files.createDirectories(files).resolve(fileName), text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A small sample grid: 4x4 tiles of 8x8 grey patterns. */
    private static BufferedImage grid(String runName) {
        BufferedImage img = new BufferedImage(32, 32, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 32; y++) {
            for (int x = 0; x < 32; x++) {
                int v = ((x / 8 + y / 8) % 2 == 0 ? 40 : 200) + (x % 8) * 4 + runName.length();
                img.getRaster().setSample(x, y, 0, Math.min(255, v));
            }
        }
        return img;
    }

    private static byte[] png(BufferedImage image) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
