package io.flowbench.tracking;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.flowbench.util.Json;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Plain HTTP to an MLflow server (JDK client, no Python): the start-up check and the artifact proxy
 * ({@code /api/2.0/mlflow-artifacts/artifacts/...}), which the MLflow Java client does not speak. Sends the
 * same credentials as MLflow's own clients: {@code MLFLOW_TRACKING_TOKEN} (bearer) or
 * {@code MLFLOW_TRACKING_USERNAME}/{@code MLFLOW_TRACKING_PASSWORD} (basic).
 */
final class MlflowHttp {
    /** An answer: status and body. */
    record Answer(int status, String body) {
        boolean ok() {
            return status / 100 == 2;
        }

        /** The body stripped and cut to 300 characters, for messages. */
        String excerpt() {
            String b = body.strip();
            return b.length() <= 300 ? b : b.substring(0, 300) + "...";
        }

        /** The body as a JSON object; a malformed or truncated one is a TrackingException naming {@code what}. */
        JsonNode jsonObject(String what) {
            try {
                JsonNode node = Json.MAPPER.readTree(body);
                if (node != null && node.isObject()) {
                    return node;
                }
                throw new TrackingException(what + ": the answer is not a JSON object: " + excerpt());
            } catch (JsonProcessingException e) {
                String at = e.getLocation() == null ? "" : " at character " + e.getLocation().getCharOffset()
                        + " of " + body.length();
                throw new TrackingException(what + ": the answer is not valid JSON (" + e.getOriginalMessage() + at
                        + "): " + excerpt(), e);
            }
        }
    }

    private final String base;
    private final HttpClient client;
    private final Duration requestTimeout;

    MlflowHttp(URI trackingUri, Duration connectTimeout, Duration requestTimeout) {
        this.base = trackingUri.toString().replaceAll("/+$", "");
        this.client = HttpClient.newBuilder().connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NORMAL).build();
        this.requestTimeout = requestTimeout;
    }

    /** GET {@code <tracking uri>/<pathAndQuery>}. */
    Answer get(String pathAndQuery) throws IOException {
        return send(request(pathAndQuery).timeout(requestTimeout).GET().build());
    }

    /** PUT a file's bytes to {@code <tracking uri>/<path>}; no overall time limit (checkpoints are large). */
    Answer putFile(String path, Path file) throws IOException {
        try {
            return send(request(path).PUT(HttpRequest.BodyPublishers.ofFile(file))
                    .header("Content-Type", "application/octet-stream").build());
        } catch (FileNotFoundException e) {
            throw new IOException("artifact file vanished: " + file, e);
        }
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + "/" + path.replaceAll("^/+", "")));
        String token = System.getenv("MLFLOW_TRACKING_TOKEN");
        String user = System.getenv("MLFLOW_TRACKING_USERNAME");
        if (token != null && !token.isEmpty()) {
            b.header("Authorization", "Bearer " + token);
        } else if (user != null && !user.isEmpty()) {
            String pass = System.getenv().getOrDefault("MLFLOW_TRACKING_PASSWORD", "");
            b.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                    (user + ":" + pass).getBytes(StandardCharsets.UTF_8)));
        }
        return b;
    }

    private Answer send(HttpRequest req) throws IOException {
        try {
            HttpResponse<String> r = client.send(req, HttpResponse.BodyHandlers.ofString());
            return new Answer(r.statusCode(), r.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** Percent-encodes each '/'-separated segment of a path (spaces as %20, not '+'). */
    static String encodePath(String path) {
        return Stream.of(path.split("/", -1))
                .map(s -> URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20"))
                .collect(Collectors.joining("/"));
    }

    static String encodeQuery(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
