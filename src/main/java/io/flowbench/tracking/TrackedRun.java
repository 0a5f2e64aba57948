package io.flowbench.tracking;

import java.awt.image.RenderedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.imageio.ImageIO;

/**
 * One run being recorded. Every call writes the local store at once (so a killed process loses at most the
 * call in progress) and marks the run for the server mirror; no call waits on a server. Keys are made to fit
 * MLflow's rules and long values are cut to its limits ({@link MlflowNames}). Not ended explicitly, a run is
 * ended FAILED by {@link #close()}: only the trainer can say it finished.
 */
public final class TrackedRun implements AutoCloseable {
    private final Tracker tracker;
    private final String id;
    private final String experimentId;
    private final String name;
    private final Map<String, String> keys = new ConcurrentHashMap<>();
    private volatile RunStatus ended;

    TrackedRun(Tracker tracker, String id, String experimentId, String name) {
        this.tracker = tracker;
        this.id = id;
        this.experimentId = experimentId;
        this.name = name;
    }

    /** The local run id (32 hex digits); on a server the run has its own id, mapped by {@code sync}. */
    public String id() {
        return id;
    }

    public String experimentId() {
        return experimentId;
    }

    public String name() {
        return name;
    }

    /**
     * Logs params, flattening nested maps into dotted keys. Params are write-once in MLflow: logging the
     * same value again is fine (a resumed run), a different value is a {@link TrackingException}.
     */
    public void logParams(Map<String, ?> params) {
        Map<String, String> out = new LinkedHashMap<>();
        MlflowNames.flatten(params).forEach((k, v) -> out.put(k, MlflowNames.paramValue(k, v)));
        write(List.of(), out, Map.of());
    }

    public void logParam(String key, Object value) {
        logParams(Map.of(key, value));
    }

    /** Logs one value of a metric at a step (timestamp: now). */
    public void logMetric(String key, double value, long step) {
        write(List.of(new MetricPoint(key(key), value, System.currentTimeMillis(), step)), Map.of(), Map.of());
    }

    /** Logs several metrics at one step with one timestamp, in one write per metric file. */
    public void logMetrics(Map<String, ? extends Number> values, long step) {
        long now = System.currentTimeMillis();
        List<MetricPoint> points = new ArrayList<>(values.size());
        values.forEach((k, v) -> points.add(new MetricPoint(key(k), v.doubleValue(), now, step)));
        write(points, Map.of(), Map.of());
    }

    /** Logs metric points with their own timestamps (e.g. replayed from a log). */
    public void logMetricPoints(List<MetricPoint> points) {
        write(points.stream().map(p -> new MetricPoint(key(p.key()), p.value(), p.timestamp(), p.step())).toList(),
                Map.of(), Map.of());
    }

    public void setTag(String key, String value) {
        setTags(Map.of(key, value));
    }

    public void setTags(Map<String, String> tags) {
        write(List.of(), Map.of(), fit(tags));
    }

    /**
     * Stores a file at {@code artifactPath/<file name>}, or a directory's contents under {@code artifactPath}
     * ("" or null: the run's artifact root). A file of the same path is replaced.
     */
    public void logArtifact(Path fileOrDirectory, String artifactPath) {
        tracker.localStore().logArtifact(id, fileOrDirectory, artifactPath);
        tracker.touched(id);
    }

    /** Stores {@code text} (UTF-8) as the artifact file {@code artifactFile} ("dir/name"), as MLflow's log_text. */
    public void logText(String text, String artifactFile) {
        logContent(text.getBytes(StandardCharsets.UTF_8), artifactFile);
    }

    /** Stores {@code image} as the PNG artifact file {@code artifactFile} ("dir/name.png"), as MLflow's log_image. */
    public void logImage(RenderedImage image, String artifactFile) {
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", png);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode " + artifactFile + " as PNG", e);
        }
        logContent(png.toByteArray(), artifactFile);
    }

    /** Ends the run with FINISHED, FAILED or KILLED. */
    public void end(RunStatus status) {
        if (!status.isTerminal()) {
            throw new IllegalArgumentException("a run ends FINISHED, FAILED or KILLED, not " + status);
        }
        tracker.localStore().updateRun(id, status, System.currentTimeMillis());
        ended = status;
        tracker.touched(id);
    }

    public boolean isEnded() {
        return ended != null;
    }

    /** Ends the run FAILED unless {@link #end} was called. */
    @Override
    public void close() {
        if (ended == null) {
            end(RunStatus.FAILED);
        }
    }

    private void logContent(byte[] content, String artifactFile) {
        tracker.localStore().logArtifactContent(id, artifactFile, content);
        tracker.touched(id);
    }

    private void write(List<MetricPoint> metrics, Map<String, String> params, Map<String, String> tags) {
        tracker.localStore().logBatch(id, metrics, params, tags);
        tracker.touched(id);
    }

    private String key(String raw) {
        return keys.computeIfAbsent(raw, MlflowNames::key);
    }

    /** Tags with keys made acceptable and values cut to MLflow's limit. */
    static Map<String, String> fit(Map<String, String> tags) {
        Map<String, String> out = new LinkedHashMap<>();
        tags.forEach((k, v) -> {
            String key = MlflowNames.key(k);
            out.put(key, MlflowNames.tagValue(key, v));
        });
        return out;
    }
}
