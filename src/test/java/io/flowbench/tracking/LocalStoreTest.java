package io.flowbench.tracking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded store's file layout and behaviour (MLflow's own reader is exercised by LocalStoreMlflowServerTest). */
class LocalStoreTest {

    @TempDir
    Path tmp;

    @Test
    void writesMlflowsFileStoreLayout() throws IOException {
        LocalStore store = new LocalStore(tmp.resolve("mlruns"));
        String exp = store.getOrCreateExperiment("demo");
        assertTrue(exp.matches("[1-9][0-9]{17}"), exp);
        assertTrue(Files.isRegularFile(tmp.resolve("mlruns/0/meta.yaml")), "MLflow's Default experiment");
        assertTrue(Files.isDirectory(tmp.resolve("mlruns/.trash")));

        RunRecord run = store.createRun(exp, "r1", 1000L, Map.of("model", "glow"));
        assertTrue(run.runId().matches("[0-9a-f]{32}"), run.runId());
        Path dir = tmp.resolve("mlruns").resolve(exp).resolve(run.runId());
        for (String sub : List.of("metrics", "params", "artifacts", "tags")) {
            assertTrue(Files.isDirectory(dir.resolve(sub)), sub);
        }
        store.logBatch(run.runId(), List.of(new MetricPoint("train/bpd", 3.5, 1234L, 0),
                new MetricPoint("train/bpd", 3.25, 1235L, 1)), Map.of("model.levels", "3"), Map.of("t", "v"));
        assertEquals("1234 3.5 0\n1235 3.25 1\n", Files.readString(dir.resolve("metrics/train/bpd")));
        assertEquals("3", Files.readString(dir.resolve("params/model.levels")));
        assertEquals("v", Files.readString(dir.resolve("tags/t")));
        assertEquals("glow", Files.readString(dir.resolve("tags/model")));
        assertEquals("r1", Files.readString(dir.resolve("tags/mlflow.runName")));

        Map<String, String> meta = MetaYaml.read(Files.readString(dir.resolve("meta.yaml")));
        assertEquals(run.runId(), meta.get("run_id"));
        assertEquals(exp, meta.get("experiment_id"));
        assertEquals("1", meta.get("status"));
        assertEquals("1000", meta.get("start_time"));
        assertNull(meta.get("end_time"));
        assertEquals(dir.resolve("artifacts").toUri().toString().replaceAll("/$", ""), meta.get("artifact_uri"));

        store.updateRun(run.runId(), RunStatus.KILLED, 2000L);
        meta = MetaYaml.read(Files.readString(dir.resolve("meta.yaml")));
        assertEquals("5", meta.get("status"));
        assertEquals("2000", meta.get("end_time"));
        assertEquals(RunStatus.KILLED, store.run(run.runId()).status());
    }

    @Test
    void experimentsAreFoundByNameAndCreatedOnce() throws Exception {
        LocalStore store = new LocalStore(tmp.resolve("mlruns"));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<String>> ids = IntStream.range(0, 8).mapToObj(i -> pool.submit(() ->
                    new LocalStore(tmp.resolve("mlruns")).getOrCreateExperiment("same"))).toList();
            Set<String> distinct = ids.stream().map(f -> {
                try {
                    return f.get();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }).collect(Collectors.toSet());
            assertEquals(1, distinct.size());
        } finally {
            pool.shutdownNow();
        }
        assertEquals(store.getOrCreateExperiment("same"), store.experimentByName("same").orElseThrow().id());
        assertEquals(Set.of("Default", "same"), store.experiments().stream().map(ExperimentRecord::name)
                .collect(Collectors.toSet()));
    }

    @Test
    void experimentTagsAreFilesInTheExperimentsTagsFolder() throws IOException {
        LocalStore store = new LocalStore(tmp.resolve("mlruns"));
        String exp = store.getOrCreateExperiment("e");
        store.setExperimentTag(exp, "team", "flows");
        Path file = tmp.resolve("mlruns").resolve(exp).resolve("tags/team");
        assertEquals("flows", Files.readString(file));
        assertEquals(Map.of("team", "flows"), store.experiment(exp).orElseThrow().tags());
        assertEquals(List.of(), store.runs(exp), "the tags folder is not a run");

        Files.setLastModifiedTime(file, FileTime.fromMillis(0));
        store.setExperimentTag(exp, "team", "flows");
        assertEquals(0, Files.getLastModifiedTime(file).toMillis(), "the same value again is not rewritten");
        store.setExperimentTag(exp, "team", "glow");
        assertEquals("glow", Files.readString(file));

        Files.move(tmp.resolve("mlruns").resolve(exp), tmp.resolve("mlruns/.trash").resolve(exp));
        TrackingException e = assertThrows(TrackingException.class, () -> store.setExperimentTag(exp, "team", "x"));
        assertTrue(e.getMessage().contains("deleted"), e.getMessage());
    }

    @Test
    void paramsAreWriteOnce() {
        LocalStore store = new LocalStore(tmp.resolve("mlruns"));
        String run = store.createRun(store.getOrCreateExperiment("e"), "r", 1L, Map.of()).runId();
        store.logBatch(run, List.of(), Map.of("lr", "0.001"), Map.of());
        store.logBatch(run, List.of(), Map.of("lr", "0.001"), Map.of()); // same value again: fine (a resumed run)
        TrackingException e = assertThrows(TrackingException.class,
                () -> store.logBatch(run, List.of(), Map.of("lr", "0.01"), Map.of()));
        assertTrue(e.getMessage().contains("cannot change"), e.getMessage());
    }

    @Test
    void aTornLastMetricLineIsNotRead() throws IOException {
        LocalStore store = new LocalStore(tmp.resolve("mlruns"));
        String run = store.createRun(store.getOrCreateExperiment("e"), "r", 1L, Map.of()).runId();
        store.logBatch(run, List.of(new MetricPoint("loss", 1.0, 10L, 0)), Map.of(), Map.of());
        Files.writeString(store.runDir(run).resolve("metrics/loss"), "11 0.5", java.nio.file.StandardOpenOption.APPEND);
        assertEquals(List.of(new MetricPoint("loss", 1.0, 10L, 0)), store.metricHistory(run, "loss"));
    }

    @Test
    void readsMetricValuesPythonWrote() throws IOException {
        LocalStore store = new LocalStore(tmp.resolve("mlruns"));
        String run = store.createRun(store.getOrCreateExperiment("e"), "r", 1L, Map.of()).runId();
        Files.writeString(store.runDir(run).resolve("metrics/m"), "1 nan 0\n2 inf 1\n3 -inf 2\n4 1e-05 3\n5 2.5\n");
        List<Double> values = store.metricHistory(run, "m").stream().map(MetricPoint::value).toList();
        assertTrue(values.get(0).isNaN());
        assertEquals(List.of(Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 1e-5, 2.5), values.subList(1, 5));
        assertEquals(3L, store.run(run).latestMetrics().get("m").step(), "latest = largest step");
    }

    @Test
    void artifactsLandWhereMlflowPutsThem() throws IOException {
        LocalStore store = new LocalStore(tmp.resolve("mlruns"));
        String run = store.createRun(store.getOrCreateExperiment("e"), "r", 1L, Map.of()).runId();
        Path file = Files.writeString(tmp.resolve("grid.png"), "png");
        Path dir = Files.createDirectories(tmp.resolve("ckpt/sub"));
        Files.writeString(dir.resolve("w.bin"), "weights");
        Files.writeString(tmp.resolve("ckpt/state.txt"), "state");
        store.logArtifact(run, file, "samples");
        store.logArtifact(run, tmp.resolve("ckpt"), "checkpoint");
        store.logArtifact(run, file, null);
        assertEquals(Map.of("samples/grid.png", 3L, "checkpoint/sub/w.bin", 7L, "checkpoint/state.txt", 5L,
                "grid.png", 3L), store.artifacts(run));
        assertThrows(IllegalArgumentException.class, () -> store.logArtifact(run, file, "../escape"));
        assertThrows(TrackingException.class, () -> store.logArtifact(run, tmp.resolve("missing"), ""));
        store.logArtifactContent(run, "samples/grid.png", "new png".getBytes(StandardCharsets.UTF_8));
        store.logArtifactContent(run, "notes/a/b.txt", "text".getBytes(StandardCharsets.UTF_8));
        assertEquals("new png", Files.readString(store.artifactFile(run, "samples/grid.png")), "replaced in place");
        assertEquals(Map.of("samples/grid.png", 7L, "checkpoint/sub/w.bin", 7L, "checkpoint/state.txt", 5L,
                "grid.png", 3L, "notes/a/b.txt", 4L), store.artifacts(run));
        assertThrows(IllegalArgumentException.class, () -> store.logArtifactContent(run, "../x.txt", new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> store.logArtifactContent(run, "", new byte[0]));
        try (var s = Files.list(tmp.resolve("mlruns"))) {
            assertFalse(s.anyMatch(p -> p.getFileName().toString().startsWith(".flowbench-tmp")), "no temporaries left");
        }
    }

    @Test
    void runsAreListedNewestFirstAndFoundByTag() {
        LocalStore store = new LocalStore(tmp.resolve("mlruns"));
        String exp = store.getOrCreateExperiment("e");
        String a = store.createRun(exp, "a", 1L, Map.of("k", "1")).runId();
        String b = store.createRun(exp, "b", 2L, Map.of("k", "2")).runId();
        assertEquals(List.of(b, a), store.runs(exp).stream().map(RunRecord::runId).toList());
        assertEquals(a, store.findRunByTag(exp, "k", "1").orElseThrow().runId());
        assertTrue(store.findRunByTag(exp, "k", "3").isEmpty());
        assertEquals(a, new LocalStore(tmp.resolve("mlruns")).run(a).runId(), "found by another instance");
    }
}
