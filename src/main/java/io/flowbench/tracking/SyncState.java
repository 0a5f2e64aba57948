package io.flowbench.tracking;

import io.flowbench.util.AtomicFiles;
import io.flowbench.util.Sha256;
import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * What of one local run has reached one target store: the target's run and experiment ids (the mapping
 * that keeps {@code sync} from making duplicates), how many lines of each metric, which params, which tag
 * values, which artifact versions, and the status sent. Kept in the local run's directory as
 * {@code flowbench-sync/<target key>.properties}, where MLflow does not look, replaced atomically after each
 * step so an interrupted sync resumes where it stopped.
 */
final class SyncState {
    private final Path file;
    private final Path scratch;
    private final Properties p = new Properties();

    private SyncState(Path file, Path scratch) {
        this.file = file;
        this.scratch = scratch;
    }

    static Path directory(Path runDir) {
        return runDir.resolve("flowbench-sync");
    }

    static SyncState load(Path runDir, String targetKey, Path scratch) {
        SyncState s = new SyncState(directory(runDir).resolve(targetKey + ".properties"), scratch);
        if (Files.exists(s.file)) {
            try (Reader r = Files.newBufferedReader(s.file, StandardCharsets.UTF_8)) {
                s.p.load(r);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read sync state " + s.file, e);
            }
        }
        return s;
    }

    void save() {
        StringWriter w = new StringWriter();
        try {
            p.store(w, "flowbench: what of this run has been sent to " + p.getProperty("target", "?"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        AtomicFiles.writeString(file, w.toString(), scratch);
    }

    String targetRunId() {
        return p.getProperty("run");
    }

    void mapTo(String target, String experimentId, String runId) {
        p.setProperty("target", target);
        p.setProperty("experiment", experimentId);
        p.setProperty("run", runId);
    }

    int metricLinesSent(String key) {
        return Integer.parseInt(p.getProperty("metric." + key, "0"));
    }

    void metricLinesSent(String key, int lines) {
        p.setProperty("metric." + key, Integer.toString(lines));
    }

    boolean isParamSent(String key) {
        return p.containsKey("param." + key);
    }

    void paramSent(String key) {
        p.setProperty("param." + key, "sent");
    }

    boolean isTagSent(String key, String value) {
        return hash(value).equals(p.getProperty("tag." + key));
    }

    void tagSent(String key, String value) {
        p.setProperty("tag." + key, hash(value));
    }

    /** An artifact version: size and modification time. */
    String artifactVersion(String path) {
        return p.getProperty("artifact." + path);
    }

    void artifactVersion(String path, String version) {
        p.setProperty("artifact." + path, version);
    }

    String statusSent() {
        return p.getProperty("status");
    }

    void statusSent(RunStatus status) {
        p.setProperty("status", status.name());
    }

    private static String hash(String value) {
        return Sha256.of(value).substring(0, 16);
    }
}
