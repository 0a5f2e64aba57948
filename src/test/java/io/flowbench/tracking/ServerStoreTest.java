package io.flowbench.tracking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server backend's checks that need no MLflow: start-up errors and artifact-root parsing. */
class ServerStoreTest {

    @Test
    void anUnreachableServerIsAClearErrorBeforeAnyWork(@TempDir Path tmp) {
        URI uri = URI.create("http://127.0.0.1:" + MlflowServerProcess.freePort());
        TrackingException e = assertThrows(TrackingException.class, () -> Tracker.open(
                new TrackingTarget(tmp.resolve("mlruns"), Optional.of(uri)), TrackerOptions.defaults()));
        assertTrue(e.getMessage().contains(uri.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("connection refused"), e.getMessage());
        assertTrue(e.getMessage().contains("bin/flowbench sync"), e.getMessage());
        assertTrue(e.getMessage().contains("mlflow server"), e.getMessage());
    }

    @Test
    void somethingElseListeningIsNotTakenForMlflow() throws IOException {
        HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.createContext("/", x -> {
            byte[] body = "<html>not here</html>".getBytes(StandardCharsets.UTF_8);
            x.sendResponseHeaders(404, body.length);
            x.getResponseBody().write(body);
            x.close();
        });
        http.start();
        try {
            URI uri = URI.create("http://127.0.0.1:" + http.getAddress().getPort());
            TrackingException e = assertThrows(TrackingException.class,
                    () -> ServerStore.connect(uri, TrackerOptions.defaults().connectTimeout()));
            assertTrue(e.getMessage().contains("does not answer MLflow's REST API"), e.getMessage());
            assertTrue(e.getMessage().contains("HTTP 404"), e.getMessage());
        } finally {
            http.stop(0);
        }
    }

    @Test
    void proxiedArtifactRootsAreRecognised() {
        assertEquals(Optional.of("1/abc/artifacts"), ServerStore.proxiedPath("mlflow-artifacts:/1/abc/artifacts"));
        assertEquals(Optional.of("1/abc/artifacts"), ServerStore.proxiedPath("mlflow-artifacts://host:5000/1/abc/artifacts"));
        assertEquals(Optional.of("1/abc/artifacts"), ServerStore.proxiedPath(
                "https://host/prefix/api/2.0/mlflow-artifacts/artifacts/1/abc/artifacts"));
        assertEquals(Optional.empty(), ServerStore.proxiedPath("s3://bucket/1/abc/artifacts"));
        assertEquals(Optional.empty(), ServerStore.proxiedPath("/srv/mlruns/1/abc/artifacts"));
    }

    @Test
    void pathsAreEncodedSegmentBySegment() {
        assertEquals("1/run/artifacts/dir%20x/a%2Bb.png", MlflowHttp.encodePath("1/run/artifacts/dir x/a+b.png"));
    }

    @Test
    void jsonAnswersAreRead() {
        var m = new MlflowHttp.Answer(200, "{\"files\": [{\"path\": \"a\\u00e9\", \"is_dir\": false, \"file_size\": 12}], \"x\": null}")
                .jsonObject("listing");
        assertEquals("aé", m.path("files").get(0).path("path").asText());
        assertEquals(12, m.path("files").get(0).path("file_size").asLong());
    }

    @Test
    void aTruncatedAnswerSaysSo() {
        String truncated = "{\"files\": [{\"path\": \"a\", \"is_dir\": fal";
        TrackingException e = assertThrows(TrackingException.class,
                () -> new MlflowHttp.Answer(200, truncated).jsonObject("listing artifacts of run r1"));
        assertTrue(e.getMessage().startsWith("listing artifacts of run r1: the answer is not valid JSON ("), e.getMessage());
        assertTrue(e.getMessage().endsWith("): " + truncated), e.getMessage());
        TrackingException notObject = assertThrows(TrackingException.class,
                () -> new MlflowHttp.Answer(200, "[1, 2]").jsonObject("listing"));
        assertEquals("listing: the answer is not a JSON object: [1, 2]", notObject.getMessage());
    }

    @Test
    void localOnlyTrackingNeedsNoServer(@TempDir Path tmp) throws IOException {
        try (Tracker tracker = Tracker.open(tmp.resolve("mlruns").toString())) {
            assertTrue(tracker.server().isEmpty());
            String exp = tracker.experiment("e");
            TrackedRun run = tracker.startRun(exp, "r", java.util.Map.of("bad key!", "v"), null);
            run.logParams(java.util.Map.of("model", java.util.Map.of("kind", "glow")));
            run.logMetric("loss[nats]", 1.5, 0);
            run.close(); // not ended explicitly: FAILED
            RunRecord r = tracker.localStore().run(run.id());
            assertEquals(RunStatus.FAILED, r.status());
            assertEquals("glow", r.params().get("model.kind"));
            assertEquals("v", r.tags().get("bad key_"));
            assertTrue(r.latestMetrics().containsKey("loss_nats_"));

            TrackedRun resumed = tracker.resumeRun(run.id());
            assertEquals(RunStatus.RUNNING, tracker.localStore().run(run.id()).status());
            resumed.logParams(java.util.Map.of("model", java.util.Map.of("kind", "glow"))); // same value: fine
            assertThrows(TrackingException.class, () -> resumed.logParam("model.kind", "dlf"));
            resumed.end(RunStatus.FINISHED);
            assertThrows(TrackingException.class, () -> tracker.startRun(exp, "child", java.util.Map.of(), "0".repeat(32)));
            assertTrue(Files.isDirectory(tmp.resolve("mlruns")));
            assertTrue(tracker.finish().isComplete());
        }
    }
}
