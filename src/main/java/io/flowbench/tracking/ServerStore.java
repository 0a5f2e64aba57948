package io.flowbench.tracking;

import com.fasterxml.jackson.databind.JsonNode;
import io.flowbench.util.Sha256;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.mlflow.api.proto.Service;
import org.mlflow.tracking.MlflowClient;
import org.mlflow.tracking.MlflowHttpException;
import org.mlflow.tracking.Page;
import org.mlflow.tracking.creds.BasicMlflowHostCreds;

/**
 * An MLflow tracking server ({@code tracking.uri = http(s)://...}). Experiments, runs, params, metrics and
 * tags go through the MLflow Java client ({@code org.mlflow:mlflow-client}).
 *
 * <p>Artifacts do not: the Java client's artifact calls shell out to a local Python {@code mlflow}
 * installation (its {@code CliBasedArtifactRepository}). Instead artifacts are PUT over plain HTTP to the
 * server's artifact proxy, {@code PUT /api/2.0/mlflow-artifacts/artifacts/<path>}, which {@code mlflow server}
 * serves by default since MLflow 2.0 ({@code --serve-artifacts}); runs on such a server get artifact roots
 * {@code mlflow-artifacts:/<experiment>/<run>/artifacts}, and the server writes the files to its
 * {@code --artifacts-destination}. So training machines need neither Python nor cloud-storage credentials.
 * A server started with {@code --no-serve-artifacts} hands out artifact roots (s3://, local paths) that only
 * an SDK can write; {@link #connect} warns about it and artifact uploads to it fail with that explanation.
 */
public final class ServerStore implements TrackingStore {
    static final String ARTIFACT_ROUTE = "api/2.0/mlflow-artifacts/artifacts/";

    private final URI uri;
    private final MlflowClient client;
    private final MlflowHttp http;
    private final Map<String, String> artifactRoots = new ConcurrentHashMap<>();

    private ServerStore(URI uri, Duration connectTimeout) {
        this.uri = uri;
        String host = uri.toString().replaceAll("/+$", "");
        String token = System.getenv("MLFLOW_TRACKING_TOKEN");
        String user = System.getenv("MLFLOW_TRACKING_USERNAME");
        BasicMlflowHostCreds creds = token != null && !token.isEmpty() ? new BasicMlflowHostCreds(host, token)
                : user != null && !user.isEmpty()
                ? new BasicMlflowHostCreds(host, user, System.getenv().getOrDefault("MLFLOW_TRACKING_PASSWORD", ""))
                : new BasicMlflowHostCreds(host);
        this.client = new MlflowClient(creds);
        this.http = new MlflowHttp(uri, connectTimeout, Duration.ofSeconds(60));
    }

    /**
     * Connects to the server at {@code uri} and checks, before any work, that it answers MLflow's REST API;
     * fails with a message that says which URI, what failed and how to fix it.
     */
    public static ServerStore connect(URI uri, Duration connectTimeout) {
        ServerStore store = new ServerStore(uri, connectTimeout);
        store.checkReachable();
        return store;
    }

    URI uri() {
        return uri;
    }

    private void checkReachable() {
        String fixes = "Start the server (e.g. `.venv/bin/mlflow server --host 127.0.0.1 --port 5000`), correct "
                + "tracking.uri, or set tracking.uri to a directory (./mlruns) to record locally only; runs recorded "
                + "locally can be pushed later with `bin/flowbench sync --tracking-uri " + uri + "`.";
        MlflowHttp.Answer a;
        try {
            a = http.get("api/2.0/mlflow/experiments/search?max_results=1");
        } catch (HttpConnectTimeoutException e) {
            throw new TrackingException("MLflow tracking server " + uri + " did not accept a connection in time ("
                    + e.getMessage() + "). " + fixes, e);
        } catch (ConnectException e) {
            throw new TrackingException("MLflow tracking server " + uri + " is not reachable: connection refused. "
                    + fixes, e);
        } catch (HttpTimeoutException e) {
            throw new TrackingException("MLflow tracking server " + uri + " accepted the connection but did not "
                    + "answer in time. " + fixes, e);
        } catch (IOException e) {
            throw new TrackingException("MLflow tracking server " + uri + " is not reachable: " + e + ". " + fixes, e);
        }
        if (a.status() == 401 || a.status() == 403) {
            throw new TrackingException("MLflow tracking server " + uri + " refused the credentials (HTTP " + a.status()
                    + "). Set MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD, or MLFLOW_TRACKING_TOKEN.");
        }
        boolean mlflowAnswer = a.ok() && a.body().trim().startsWith("{");
        if (!mlflowAnswer) {
            throw new TrackingException("the server at " + uri + " does not answer MLflow's REST API (GET "
                    + "/api/2.0/mlflow/experiments/search gave HTTP " + a.status() + ": "
                    + a.excerpt() + "). tracking.uri must be the server's base URL, like "
                    + "http://host:5000 (with its --static-prefix if it has one, without the UI's /#/...).");
        }
    }

    /**
     * Whether the server proxies artifact uploads ({@code --serve-artifacts}). Answers false also when the
     * check itself cannot be made.
     */
    public boolean proxiesArtifacts() {
        try {
            MlflowHttp.Answer a = http.get("api/2.0/mlflow-artifacts/artifacts?path=");
            return a.ok();
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public String describe() {
        return uri.toString();
    }

    @Override
    public String key() {
        String host = (uri.getHost() == null ? "server" : uri.getHost()) + (uri.getPort() < 0 ? "" : "_" + uri.getPort());
        return host.replaceAll("[^A-Za-z0-9_.-]", "_") + "-" + Sha256.of(describe()).substring(0, 8);
    }

    // ---------------------------------------------------------------- experiments

    @Override
    public String getOrCreateExperiment(String name) {
        Optional<ExperimentRecord> found = experimentByName(name);
        if (found.isPresent()) {
            if (!found.get().isActive()) {
                throw new TrackingException("experiment '" + name + "' is deleted on " + uri
                        + "; restore it there (mlflow experiments restore) or use another experiment name");
            }
            return found.get().id();
        }
        try {
            return client.createExperiment(name);
        } catch (MlflowHttpException e) {
            if (e.getStatusCode() == 400 && String.valueOf(e.getBodyMessage()).contains("RESOURCE_ALREADY_EXISTS")) {
                return experimentByName(name).orElseThrow(() -> e).id(); // created meanwhile by another client
            }
            throw e;
        }
    }

    @Override
    public Optional<ExperimentRecord> experiment(String experimentId) {
        try {
            return Optional.of(record(client.getExperiment(experimentId)));
        } catch (MlflowHttpException e) {
            if (e.getStatusCode() == 404) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /**
     * By search rather than {@code experiments/get-by-name}: the Java client retries every HTTP error three
     * times (logging each 404 as "rate limit exceeded"), and a new experiment's name is a 404 there.
     */
    @Override
    public Optional<ExperimentRecord> experimentByName(String name) {
        if (name.contains("'")) {
            return client.getExperimentByName(name).map(ServerStore::record);
        }
        return all(client.searchExperiments("name = '" + name + "'", Service.ViewType.ALL, 1000, List.of())).stream()
                .filter(e -> e.getName().equals(name)).findFirst().map(ServerStore::record);
    }

    @Override
    public List<ExperimentRecord> experiments() {
        return all(client.searchExperiments(null, Service.ViewType.ALL, 1000, List.of())).stream()
                .map(ServerStore::record).toList();
    }

    private static <T> List<T> all(Page<T> first) {
        List<T> out = new ArrayList<>();
        for (Page<T> page = first; ; page = page.getNextPage()) {
            page.getItems().forEach(out::add);
            if (!page.hasNextPage()) {
                return out;
            }
        }
    }

    @Override
    public void setExperimentTag(String experimentId, String key, String value) {
        client.setExperimentTag(experimentId, key, value);
    }

    private static ExperimentRecord record(Service.Experiment e) {
        Map<String, String> tags = new TreeMap<>();
        e.getTagsList().forEach(t -> tags.put(t.getKey(), t.getValue()));
        return new ExperimentRecord(e.getExperimentId(), e.getName(), e.getArtifactLocation(), e.getLifecycleStage(),
                tags);
    }

    // ---------------------------------------------------------------- runs

    @Override
    public RunRecord createRun(String experimentId, String runName, long startTime, Map<String, String> tags) {
        Service.CreateRun.Builder req = Service.CreateRun.newBuilder().setExperimentId(experimentId)
                .setStartTime(startTime).setUserId(tags.getOrDefault(MlflowTags.USER, System.getProperty("user.name", "")));
        if (runName != null) {
            req.setRunName(runName);
        }
        tags.forEach((k, v) -> req.addTags(Service.RunTag.newBuilder().setKey(k).setValue(v)));
        Service.RunInfo info = client.createRun(req.build());
        return run(info.getRunId());
    }

    @Override
    public void logBatch(String runId, List<MetricPoint> metrics, Map<String, String> params, Map<String, String> tags) {
        List<Service.Param> ps = new ArrayList<>();
        params.forEach((k, v) -> ps.add(Service.Param.newBuilder().setKey(k).setValue(v).build()));
        List<Service.RunTag> ts = new ArrayList<>();
        tags.forEach((k, v) -> ts.add(Service.RunTag.newBuilder().setKey(k).setValue(v).build()));
        int n = MlflowNames.MAX_PARAMS_TAGS_PER_BATCH;
        for (int i = 0; i < ps.size(); i += n) {
            client.logBatch(runId, List.of(), ps.subList(i, Math.min(ps.size(), i + n)), List.of());
        }
        for (int i = 0; i < ts.size(); i += n) {
            client.logBatch(runId, List.of(), List.of(), ts.subList(i, Math.min(ts.size(), i + n)));
        }
        int m = MlflowNames.MAX_METRICS_PER_BATCH;
        for (int i = 0; i < metrics.size(); i += m) {
            List<Service.Metric> chunk = metrics.subList(i, Math.min(metrics.size(), i + m)).stream()
                    .map(p -> Service.Metric.newBuilder().setKey(p.key()).setValue(p.value())
                            .setTimestamp(p.timestamp()).setStep(p.step()).build()).toList();
            client.logBatch(runId, chunk, List.of(), List.of());
        }
    }

    @Override
    public void logArtifact(String runId, Path fileOrDirectory, String artifactPath) {
        String root = proxiedArtifactRoot(runId);
        for (Map.Entry<String, Path> f : ArtifactFiles.plan(fileOrDirectory, artifactPath).entrySet()) {
            MlflowHttp.Answer a;
            try {
                a = http.putFile(ARTIFACT_ROUTE + MlflowHttp.encodePath(root + "/" + f.getKey()), f.getValue());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot send artifact " + f.getValue() + " to " + uri, e);
            }
            if (!a.ok()) {
                throw new TrackingException("MLflow server " + uri + " refused artifact " + f.getKey() + " (HTTP "
                        + a.status() + ": " + a.excerpt() + ")");
            }
        }
    }

    /** The run's artifact root as a path under the artifact proxy, from its mlflow-artifacts: URI. */
    private String proxiedArtifactRoot(String runId) {
        return artifactRoots.computeIfAbsent(runId, id -> {
            String artifactUri = run(id).artifactUri();
            return proxiedPath(artifactUri).orElseThrow(() -> new TrackingException(
                    "run " + id + " on " + uri + " keeps its artifacts at " + artifactUri + ", which the server does not "
                    + "proxy, and writing there directly needs MLflow's Python client or cloud credentials. Start the "
                    + "server with --serve-artifacts (the default since MLflow 2.0) and without a --default-artifact-root "
                    + "outside mlflow-artifacts:/, so flowbench can upload over HTTP; the artifacts stay in the local "
                    + "store meanwhile."));
        });
    }

    /** {@code mlflow-artifacts:/1/abc/artifacts} or {@code http://h/api/2.0/mlflow-artifacts/artifacts/1/abc/artifacts} to {@code 1/abc/artifacts}. */
    static Optional<String> proxiedPath(String artifactUri) {
        if (artifactUri == null) {
            return Optional.empty();
        }
        URI u = URI.create(artifactUri);
        if ("mlflow-artifacts".equals(u.getScheme()) && u.getPath() != null) {
            return Optional.of(u.getPath().replaceAll("^/+", ""));
        }
        String anchor = "/" + ARTIFACT_ROUTE;
        if (("http".equals(u.getScheme()) || "https".equals(u.getScheme())) && u.getPath() != null
                && u.getPath().contains(anchor)) {
            return Optional.of(u.getPath().substring(u.getPath().indexOf(anchor) + anchor.length()));
        }
        return Optional.empty();
    }

    @Override
    public void updateRun(String runId, RunStatus status, Long endTime) {
        client.setTerminated(runId, Service.RunStatus.valueOf(status.name()),
                endTime == null ? System.currentTimeMillis() : endTime);
    }

    @Override
    public RunRecord run(String runId) {
        return record(client.getRun(runId));
    }

    private static RunRecord record(Service.Run r) {
        Service.RunInfo i = r.getInfo();
        Map<String, String> params = new TreeMap<>();
        r.getData().getParamsList().forEach(p -> params.put(p.getKey(), p.getValue()));
        Map<String, String> tags = new TreeMap<>();
        r.getData().getTagsList().forEach(t -> tags.put(t.getKey(), t.getValue()));
        Map<String, MetricPoint> latest = new TreeMap<>();
        r.getData().getMetricsList().forEach(m -> latest.put(m.getKey(),
                new MetricPoint(m.getKey(), m.getValue(), m.getTimestamp(), m.getStep())));
        return new RunRecord(i.getRunId(), i.getExperimentId(), i.getRunName(), RunStatus.valueOf(i.getStatus().name()),
                i.getStartTime(), i.hasEndTime() ? i.getEndTime() : null, i.getArtifactUri(), i.getLifecycleStage(),
                params, tags, latest);
    }

    @Override
    public List<RunRecord> runs(String experimentId) {
        return search(experimentId, "");
    }

    @Override
    public Optional<RunRecord> findRunByTag(String experimentId, String tagKey, String tagValue) {
        String filter = "tags.`" + tagKey + "` = '" + tagValue.replace("'", "\\'") + "'";
        return search(experimentId, filter).stream().findFirst();
    }

    private List<RunRecord> search(String experimentId, String filter) {
        return all(client.searchRuns(List.of(experimentId), filter, Service.ViewType.ACTIVE_ONLY, 1000,
                List.of("attributes.start_time DESC"))).stream().map(ServerStore::record).toList();
    }

    @Override
    public List<MetricPoint> metricHistory(String runId, String key) {
        return client.getMetricHistory(runId, key).stream()
                .map(m -> new MetricPoint(m.getKey(), m.getValue(), m.getTimestamp(), m.getStep())).toList();
    }

    /** Lists artifacts through REST {@code GET /api/2.0/mlflow/artifacts/list} (the Java client's list needs Python). */
    @Override
    public Map<String, Long> artifacts(String runId) {
        Map<String, Long> out = new TreeMap<>();
        listInto(runId, "", out);
        return out;
    }

    private void listInto(String runId, String path, Map<String, Long> out) {
        MlflowHttp.Answer a;
        try {
            a = http.get("api/2.0/mlflow/artifacts/list?run_id=" + MlflowHttp.encodeQuery(runId)
                    + (path.isEmpty() ? "" : "&path=" + MlflowHttp.encodeQuery(path)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list artifacts of run " + runId + " on " + uri, e);
        }
        if (!a.ok()) {
            throw new TrackingException("listing artifacts of run " + runId + " on " + uri + " failed (HTTP " + a.status()
                    + ": " + a.excerpt() + ")");
        }
        for (JsonNode f : a.jsonObject("listing artifacts of run " + runId + " on " + uri).path("files")) {
            String p = f.path("path").asText();
            if (f.path("is_dir").asBoolean(false)) {
                listInto(runId, p, out);
            } else {
                out.put(p, f.path("file_size").asLong(0));
            }
        }
    }

    @Override
    public void close() {
        client.close();
    }
}
