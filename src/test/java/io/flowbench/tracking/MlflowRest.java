package io.flowbench.tracking;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** MLflow's REST API over plain HTTP, read with Jackson: the tests' independent view of a server. */
public final class MlflowRest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final URI base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public MlflowRest(URI base) {
        this.base = base;
    }

    JsonNode get(String path, Map<String, String> query) {
        StringBuilder q = new StringBuilder();
        query.forEach((k, v) -> q.append(q.length() == 0 ? "?" : "&").append(k).append('=')
                .append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
        return tree(bytes(HttpRequest.newBuilder(base.resolve(path + q)).GET(), path));
    }

    private static JsonNode tree(byte[] body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new IllegalStateException("not JSON: " + new String(body, StandardCharsets.UTF_8), e);
        }
    }

    JsonNode post(String path, Object body) {
        try {
            return tree(bytes(HttpRequest.newBuilder(base.resolve(path))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))), path));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    byte[] download(String runId, String artifactPath) {
        return bytes(HttpRequest.newBuilder(base.resolve("/get-artifact?run_uuid=" + runId + "&path="
                + URLEncoder.encode(artifactPath, StandardCharsets.UTF_8).replace("+", "%20"))).GET(), artifactPath);
    }

    private byte[] bytes(HttpRequest.Builder req, String what) {
        try {
            HttpResponse<byte[]> r = http.send(req.timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, r.statusCode(), () -> what + ": " + new String(r.body(), StandardCharsets.UTF_8));
            return r.body();
        } catch (IOException e) {
            throw new IllegalStateException(what, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public String experimentId(String name) {
        return get("/api/2.0/mlflow/experiments/get-by-name", Map.of("experiment_name", name))
                .path("experiment").path("experiment_id").asText();
    }

    /** The experiment's tags, as {@code experiments/get} gives them. */
    Map<String, String> experimentTags(String experimentId) {
        return keyValues(get("/api/2.0/mlflow/experiments/get", Map.of("experiment_id", experimentId))
                .path("experiment").path("tags"));
    }

    public List<JsonNode> runs(String experimentId) {
        JsonNode r = post("/api/2.0/mlflow/runs/search", Map.of("experiment_ids", List.of(experimentId),
                "max_results", 1000));
        List<JsonNode> out = new ArrayList<>();
        r.path("runs").forEach(out::add);
        return out;
    }

    public List<JsonNode> metricHistory(String runId, String key) {
        List<JsonNode> out = new ArrayList<>();
        get("/api/2.0/mlflow/metrics/get-history", Map.of("run_id", runId, "metric_key", key))
                .path("metrics").forEach(out::add);
        return out;
    }

    /** Artifact files of a run, recursively: path to size. */
    public Map<String, Long> artifacts(String runId) {
        Map<String, Long> out = new java.util.TreeMap<>();
        listInto(runId, "", out);
        return out;
    }

    private void listInto(String runId, String path, Map<String, Long> out) {
        JsonNode r = get("/api/2.0/mlflow/artifacts/list", path.isEmpty() ? Map.of("run_id", runId)
                : Map.of("run_id", runId, "path", path));
        for (JsonNode f : r.path("files")) {
            if (f.path("is_dir").asBoolean()) {
                listInto(runId, f.path("path").asText(), out);
            } else {
                out.put(f.path("path").asText(), f.path("file_size").asLong());
            }
        }
    }

    public static Map<String, String> keyValues(JsonNode list) {
        Map<String, String> out = new java.util.TreeMap<>();
        list.forEach(kv -> out.put(kv.path("key").asText(), kv.path("value").asText()));
        return out;
    }
}
