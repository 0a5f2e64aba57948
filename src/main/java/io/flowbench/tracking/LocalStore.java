package io.flowbench.tracking;

import io.flowbench.util.AtomicFiles;
import io.flowbench.util.Sha256;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The embedded tracking store: MLflow's file-store layout in a directory (./mlruns by default), written
 * without MLflow and read by {@code mlflow ui/server --backend-store-uri <dir>}. The layout, as
 * {@code mlflow/store/tracking/file_store.py} (MLflow 2.x and 3.x) reads it:
 * <pre>
 * mlruns/
 *   0/meta.yaml                           the "Default" experiment MLflow expects
 *   .trash/                               deleted experiments
 *   &lt;experiment id&gt;/meta.yaml              experiment_id, name, artifact_location, lifecycle_stage, times
 *   &lt;experiment id&gt;/tags/&lt;key&gt;              experiment tags, one file each
 *   &lt;experiment id&gt;/&lt;run id&gt;/meta.yaml     run_id, run_name, status (1 RUNNING .. 5 KILLED), times, artifact_uri
 *   &lt;experiment id&gt;/&lt;run id&gt;/params/&lt;key&gt;   the value, no newline ('/' in a key makes sub-directories)
 *   &lt;experiment id&gt;/&lt;run id&gt;/tags/&lt;key&gt;     the value
 *   &lt;experiment id&gt;/&lt;run id&gt;/metrics/&lt;key&gt;  one line per value: "&lt;timestamp ms&gt; &lt;value&gt; &lt;step&gt;"
 *   &lt;experiment id&gt;/&lt;run id&gt;/artifacts/...
 * </pre>
 * Experiment ids are 18-digit random integers and run ids 32 hex digits, as MLflow makes them. Whole files
 * are replaced atomically and metric lines appended ({@link AtomicFiles}); flowbench's own files (sync
 * state, lock, temporaries) sit where MLflow does not look. Thread-safe; other processes may write other
 * runs of the same store at the same time.
 */
public final class LocalStore implements TrackingStore {
    static final String DEFAULT_EXPERIMENT_ID = "0";
    private static final String TRASH = ".trash";
    private static final String META = "meta.yaml";
    private static final Set<String> NOT_RUNS = Set.of("tags", "datasets", "traces", "models");
    private static final SecureRandom RANDOM = new SecureRandom();
    /** One monitor per store directory: a JVM may not hold two file locks on the same file. */
    private static final Map<Path, Object> STORE_LOCKS = new ConcurrentHashMap<>();

    private final Path root;
    private final Map<String, Path> runDirs = new ConcurrentHashMap<>();

    /** Opens (creating when missing) a store at this directory. */
    public LocalStore(Path directory) {
        this.root = directory.toAbsolutePath().normalize();
        try {
            Files.createDirectories(root.resolve(TRASH));
        } catch (IOException e) {
            throw new TrackingException("cannot create the local MLflow store at " + root + " (" + FileErrors.describe(e)
                    + "): make that folder writable, or point tracking.uri (--tracking-uri, --store) at a writable "
                    + "directory", e);
        }
        removeStaleTemporaries();
        if (!Files.exists(root.resolve(DEFAULT_EXPERIMENT_ID).resolve(META))) {
            withStoreLock(() -> {
                if (!Files.exists(root.resolve(DEFAULT_EXPERIMENT_ID).resolve(META))) {
                    writeExperiment(DEFAULT_EXPERIMENT_ID, "Default");
                }
                return null;
            });
        }
    }

    public Path root() {
        return root;
    }

    @Override
    public String describe() {
        return root.toString();
    }

    @Override
    public String key() {
        return "file-" + Sha256.of(root.toString()).substring(0, 8);
    }

    // ---------------------------------------------------------------- experiments

    @Override
    public String getOrCreateExperiment(String name) {
        MlflowNames.experimentName(name);
        Optional<ExperimentRecord> found = experimentByName(name);
        if (found.isPresent()) {
            return activeId(found.get());
        }
        return withStoreLock(() -> {
            Optional<ExperimentRecord> again = experimentByName(name);
            if (again.isPresent()) {
                return activeId(again.get());
            }
            String id;
            do {
                id = newExperimentId();
            } while (Files.exists(root.resolve(id)) || Files.exists(root.resolve(TRASH).resolve(id)));
            writeExperiment(id, name);
            return id;
        });
    }

    private String activeId(ExperimentRecord e) {
        if (!e.isActive()) {
            throw new TrackingException("experiment '" + e.name() + "' (id " + e.id() + ") is deleted in " + root
                    + "; restore it (mlflow experiments restore) or remove " + root.resolve(TRASH).resolve(e.id()));
        }
        return e.id();
    }

    /** MLflow's experiment ids: 18 random decimal digits, no leading zero. */
    private static String newExperimentId() {
        String digits = new BigInteger(128, RANDOM).toString();
        String id = digits.substring(digits.length() - 18).replaceFirst("^0+", "");
        StringBuilder b = new StringBuilder(id);
        while (b.length() < 18) {
            b.append(RANDOM.nextInt(10));
        }
        return b.toString();
    }

    private void writeExperiment(String id, String name) {
        long now = System.currentTimeMillis();
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("artifact_location", root.resolve(id).toUri().toString().replaceAll("/$", ""));
        meta.put("creation_time", now);
        meta.put("experiment_id", id);
        meta.put("last_update_time", now);
        meta.put("lifecycle_stage", "active");
        meta.put("name", name);
        AtomicFiles.writeString(root.resolve(id).resolve(META), MetaYaml.write(meta), root);
    }

    @Override
    public Optional<ExperimentRecord> experiment(String experimentId) {
        for (Path dir : List.of(root.resolve(experimentId), root.resolve(TRASH).resolve(experimentId))) {
            Optional<ExperimentRecord> e = readExperiment(dir);
            if (e.isPresent()) {
                return e;
            }
        }
        return Optional.empty();
    }

    @Override
    public Optional<ExperimentRecord> experimentByName(String name) {
        return experiments().stream().filter(e -> e.name().equals(name))
                .min(Comparator.comparing(e -> !e.isActive()));
    }

    @Override
    public List<ExperimentRecord> experiments() {
        List<ExperimentRecord> out = new ArrayList<>();
        for (Path parent : List.of(root, root.resolve(TRASH))) {
            for (Path dir : subdirectories(parent)) {
                if (!dir.getFileName().toString().equals(TRASH)) {
                    readExperiment(dir).ifPresent(out::add);
                }
            }
        }
        return out;
    }

    private Optional<ExperimentRecord> readExperiment(Path dir) {
        Optional<Map<String, String>> meta = readMeta(dir);
        if (meta.isEmpty() || meta.get().get("experiment_id") == null || meta.get().get("name") == null) {
            return Optional.empty();
        }
        Map<String, String> m = meta.get();
        String stage = m.getOrDefault("lifecycle_stage", "active");
        if (dir.getParent().getFileName().toString().equals(TRASH)) {
            stage = "deleted";
        }
        return Optional.of(new ExperimentRecord(m.get("experiment_id"), m.get("name"), m.get("artifact_location"),
                stage == null ? "active" : stage, readKeyFiles(dir.resolve("tags"))));
    }

    /** Written only when the value differs, so tagging an experiment at every run leaves it untouched. */
    @Override
    public void setExperimentTag(String experimentId, String key, String value) {
        ExperimentRecord e = experiment(experimentId).orElseThrow(() -> new TrackingException(
                "no experiment with id " + experimentId + " in " + root));
        Path file = root.resolve(activeId(e)).resolve("tags").resolve(key);
        if (readText(file).filter(value::equals).isEmpty()) {
            AtomicFiles.writeString(file, value, root);
        }
    }

    // ---------------------------------------------------------------- runs: writing

    @Override
    public RunRecord createRun(String experimentId, String runName, long startTime, Map<String, String> tags) {
        return createRun(experimentId, UUID.randomUUID().toString().replace("-", ""), runName, startTime, tags);
    }

    /**
     * Creates a run with an id chosen by the caller (32 hex digits): the stores of a cluster's executors record
     * one run, or the placeholder of its parent, under the id the driver chose, so the server mirror adopts the
     * run already there ({@link MlflowTags#LOCAL_RUN_ID}) instead of making another.
     */
    public RunRecord createRun(String experimentId, String runId, String runName, long startTime, Map<String, String> tags) {
        ExperimentRecord exp = experiment(experimentId).orElseThrow(() -> new TrackingException(
                "no experiment with id " + experimentId + " in " + root));
        if (!exp.isActive()) {
            throw new TrackingException("experiment " + exp.name() + " (" + experimentId + ") is deleted in " + root);
        }
        Path dir = root.resolve(experimentId).resolve(runId);
        try {
            for (String sub : List.of("metrics", "params", "artifacts", "tags")) {
                Files.createDirectories(dir.resolve(sub));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create run directory " + dir, e);
        }
        Map<String, String> allTags = new LinkedHashMap<>();
        allTags.put(MlflowTags.USER, user());
        allTags.put(MlflowTags.SOURCE_TYPE, "LOCAL");
        allTags.put(MlflowTags.SOURCE_NAME, "flowbench");
        allTags.putAll(tags);
        String name = runName != null ? runName : allTags.getOrDefault(MlflowTags.RUN_NAME, runId.substring(0, 8));
        allTags.put(MlflowTags.RUN_NAME, name);
        for (Map.Entry<String, String> t : allTags.entrySet()) {
            AtomicFiles.writeString(dir.resolve("tags").resolve(t.getKey()), t.getValue(), root);
        }
        writeRunMeta(dir, runId, experimentId, name, RunStatus.RUNNING, startTime, null);
        runDirs.put(runId, dir);
        return run(runId);
    }

    private void writeRunMeta(Path dir, String runId, String experimentId, String name, RunStatus status,
                              long start, Long end) {
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("artifact_uri", dir.resolve("artifacts").toUri().toString().replaceAll("/$", ""));
        meta.put("end_time", end);
        meta.put("entry_point_name", "");
        meta.put("experiment_id", experimentId);
        meta.put("lifecycle_stage", "active");
        meta.put("run_id", runId);
        meta.put("run_uuid", runId); // read by MLflow 2.x; 3.x ignores it
        meta.put("run_name", name);
        meta.put("source_name", "");
        meta.put("source_type", 4);
        meta.put("source_version", "");
        meta.put("start_time", start);
        meta.put("status", status.code());
        meta.put("tags", List.of());
        meta.put("user_id", user());
        AtomicFiles.writeString(dir.resolve(META), MetaYaml.write(meta), root);
    }

    private static String user() {
        return System.getProperty("user.name", "unknown");
    }

    @Override
    public synchronized void logBatch(String runId, List<MetricPoint> metrics, Map<String, String> params,
                                      Map<String, String> tags) {
        Path dir = runDir(runId);
        for (Map.Entry<String, String> p : params.entrySet()) {
            Path file = dir.resolve("params").resolve(p.getKey());
            Optional<String> old = readText(file);
            if (old.isPresent()) {
                if (!old.get().equals(p.getValue())) {
                    throw new TrackingException("param '" + p.getKey() + "' of run " + runId + " is already '"
                            + old.get() + "'; MLflow params cannot change (new value '" + p.getValue()
                            + "'). Log a changing value as a metric or tag, or start a new run.");
                }
                continue;
            }
            AtomicFiles.writeString(file, p.getValue(), root);
        }
        for (Map.Entry<String, String> t : tags.entrySet()) {
            AtomicFiles.writeString(dir.resolve("tags").resolve(t.getKey()), t.getValue(), root);
        }
        Map<String, StringBuilder> lines = new LinkedHashMap<>();
        for (MetricPoint m : metrics) {
            lines.computeIfAbsent(m.key(), k -> new StringBuilder())
                    .append(m.timestamp()).append(' ').append(m.value()).append(' ').append(m.step()).append('\n');
        }
        lines.forEach((key, text) -> AtomicFiles.append(dir.resolve("metrics").resolve(key), text.toString()));
    }

    /** As MLflow's log_artifact / log_artifacts ({@link ArtifactFiles#plan}); a file of the same path is replaced. */
    @Override
    public void logArtifact(String runId, Path fileOrDirectory, String artifactPath) {
        Path artifacts = runDir(runId).resolve("artifacts");
        ArtifactFiles.plan(fileOrDirectory, artifactPath).forEach((dest, file) ->
                AtomicFiles.copy(file, artifacts.resolve(dest), root));
    }

    /** Stores {@code content} as the artifact file {@code artifactFile} ("dir/name"); a file of that path is replaced. */
    public void logArtifactContent(String runId, String artifactFile, byte[] content) {
        String file = ArtifactFiles.relative(artifactFile);
        if (file.isEmpty()) {
            throw new IllegalArgumentException("an artifact file needs a name, got '" + artifactFile + "'");
        }
        AtomicFiles.write(runDir(runId).resolve("artifacts").resolve(file), content, root);
    }

    @Override
    public synchronized void updateRun(String runId, RunStatus status, Long endTime) {
        Path dir = runDir(runId);
        Map<String, String> m = readMeta(dir).orElseThrow(() -> new TrackingException("run " + runId + " in " + root
                + " has no readable meta.yaml"));
        writeRunMeta(dir, runId, m.get("experiment_id"), m.get("run_name"), status,
                longOr(m.get("start_time"), 0L), endTime);
    }

    // ---------------------------------------------------------------- runs: reading

    /** The run's directory; found by scanning the experiments when this process did not create the run. */
    public Path runDir(String runId) {
        Path cached = runDirs.get(runId);
        if (cached != null && Files.isDirectory(cached)) {
            return cached;
        }
        for (Path parent : List.of(root, root.resolve(TRASH))) {
            for (Path exp : subdirectories(parent)) {
                Path dir = exp.resolve(runId);
                if (Files.isRegularFile(dir.resolve(META))) {
                    runDirs.put(runId, dir);
                    return dir;
                }
            }
        }
        throw new TrackingException("no run " + runId + " in " + root);
    }

    @Override
    public RunRecord run(String runId) {
        return readRun(runDir(runId), true).orElseThrow(() -> new TrackingException(
                "run " + runId + " in " + root + " has no readable meta.yaml"));
    }

    /** The run without its latest metric values (no metric file is read): for sync, which reads histories. */
    RunRecord runWithoutMetrics(String runId) {
        return readRun(runDir(runId), false).orElseThrow(() -> new TrackingException(
                "run " + runId + " in " + root + " has no readable meta.yaml"));
    }

    /** The keys of the run's metrics. */
    public List<String> metricKeys(String runId) {
        return listKeys(runDir(runId).resolve("metrics"));
    }

    private Optional<RunRecord> readRun(Path dir, boolean withMetrics) {
        Optional<Map<String, String>> meta = readMeta(dir);
        if (meta.isEmpty() || meta.get().get("experiment_id") == null) {
            return Optional.empty();
        }
        Map<String, String> m = meta.get();
        String runId = m.getOrDefault("run_id", m.getOrDefault("run_uuid", dir.getFileName().toString()));
        Map<String, String> tags = readKeyFiles(dir.resolve("tags"));
        Map<String, MetricPoint> latest = new TreeMap<>();
        for (String key : withMetrics ? listKeys(dir.resolve("metrics")) : List.<String>of()) {
            // MLflow's "latest" value: the one with the largest (step, timestamp, value)
            metricLines(dir, key).stream().max(Comparator.comparingLong(MetricPoint::step)
                            .thenComparingLong(MetricPoint::timestamp).thenComparingDouble(MetricPoint::value))
                    .ifPresent(p -> latest.put(key, p));
        }
        String name = m.get("run_name") != null ? m.get("run_name") : tags.getOrDefault(MlflowTags.RUN_NAME, "");
        String status = m.get("status");
        RunStatus s = status == null ? RunStatus.RUNNING
                : status.matches("\\d+") ? RunStatus.ofCode(Integer.parseInt(status)) : RunStatus.valueOf(status);
        return Optional.of(new RunRecord(runId, m.get("experiment_id"), name, s, longOr(m.get("start_time"), 0L),
                longOr(m.get("end_time"), null), m.get("artifact_uri"), m.getOrDefault("lifecycle_stage", "active"),
                readKeyFiles(dir.resolve("params")), tags, latest));
    }

    private static Long longOr(String s, Long fallback) {
        return s == null ? fallback : Long.valueOf(s);
    }

    @Override
    public List<RunRecord> runs(String experimentId) {
        Optional<ExperimentRecord> exp = experiment(experimentId);
        if (exp.isEmpty()) {
            return List.of();
        }
        Path expDir = exp.get().isActive() ? root.resolve(experimentId) : root.resolve(TRASH).resolve(experimentId);
        List<RunRecord> out = new ArrayList<>();
        for (Path dir : subdirectories(expDir)) {
            if (!NOT_RUNS.contains(dir.getFileName().toString())) {
                readRun(dir, true).filter(r -> "active".equals(r.lifecycleStage())).ifPresent(out::add);
            }
        }
        out.sort(Comparator.comparingLong(RunRecord::startTime).reversed());
        return out;
    }

    @Override
    public Optional<RunRecord> findRunByTag(String experimentId, String tagKey, String tagValue) {
        return runs(experimentId).stream().filter(r -> tagValue.equals(r.tags().get(tagKey))).findFirst();
    }

    @Override
    public List<MetricPoint> metricHistory(String runId, String key) {
        return metricLines(runDir(runId), key);
    }

    /** Parses a metric file; an unterminated last line (a write in progress or torn) is not read. */
    private static List<MetricPoint> metricLines(Path runDir, String key) {
        Optional<String> text = readText(runDir.resolve("metrics").resolve(key));
        if (text.isEmpty()) {
            return List.of();
        }
        String all = text.get();
        List<MetricPoint> out = new ArrayList<>();
        int start = 0;
        for (int nl = all.indexOf('\n'); nl >= 0; start = nl + 1, nl = all.indexOf('\n', start)) {
            String[] f = all.substring(start, nl).strip().split(" ");
            if (f.length == 2 || f.length == 3 || f.length == 5) {
                try {
                    out.add(new MetricPoint(key, Double.parseDouble(pythonFloat(f[1])), Long.parseLong(f[0]),
                            f.length == 3 ? Long.parseLong(f[2]) : 0L));
                } catch (NumberFormatException ignored) {
                    // a torn line: skip it
                }
            }
        }
        return out;
    }

    /** Python writes nan/inf/-inf; Java reads NaN/Infinity. */
    private static String pythonFloat(String s) {
        return switch (s.toLowerCase()) {
            case "nan" -> "NaN";
            case "inf", "infinity" -> "Infinity";
            case "-inf", "-infinity" -> "-Infinity";
            default -> s;
        };
    }

    @Override
    public Map<String, Long> artifacts(String runId) {
        Path dir = runDir(runId).resolve("artifacts");
        Map<String, Long> out = new TreeMap<>();
        for (String path : listKeys(dir)) {
            try {
                out.put(path, Files.size(dir.resolve(path)));
            } catch (IOException e) {
                // replaced or deleted while listing: the next listing sees it
            }
        }
        return out;
    }

    /** The local file of an artifact listed by {@link #artifacts}. */
    public Path artifactFile(String runId, String relativePath) {
        return runDir(runId).resolve("artifacts").resolve(ArtifactFiles.relative(relativePath));
    }

    // ---------------------------------------------------------------- helpers

    /** Files under a params/tags/metrics directory, keyed by their '/'-joined relative path. */
    private static Map<String, String> readKeyFiles(Path dir) {
        Map<String, String> out = new TreeMap<>();
        for (String key : listKeys(dir)) {
            readText(dir.resolve(key)).ifPresent(v -> out.put(key, v));
        }
        return out;
    }

    /** The '/'-joined relative paths of the files under a directory (the keys of params, tags, metrics). */
    private static List<String> listKeys(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).map(f -> dir.relativize(f).toString().replace('\\', '/'))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    private Optional<Map<String, String>> readMeta(Path dir) {
        Path file = dir.resolve(META);
        try {
            return readText(file).map(MetaYaml::read);
        } catch (IllegalArgumentException e) {
            throw new TrackingException(file + " is damaged (" + e.getMessage() + "); MLflow cannot read it either: "
                    + "restore it from a backup or move its run or experiment directory out of " + root, e);
        }
    }

    private static Optional<String> readText(Path file) {
        try {
            return Optional.of(Files.readString(file, StandardCharsets.UTF_8));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private static List<Path> subdirectories(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isDirectory).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    private interface Locked<T> {
        T run();
    }

    /** Serialises experiment creation across threads and processes (a lock file MLflow does not read). */
    private <T> T withStoreLock(Locked<T> body) {
        synchronized (STORE_LOCKS.computeIfAbsent(root, r -> new Object())) {
            return withFileLock(body);
        }
    }

    private <T> T withFileLock(Locked<T> body) {
        try (FileChannel ch = FileChannel.open(root.resolve("flowbench.lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE); FileLock ignored = ch.lock()) {
            return body.run();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lock " + root, e);
        }
    }

    private void removeStaleTemporaries() {
        Instant cutoff = Instant.now().minus(Duration.ofHours(1));
        try (Stream<Path> s = Files.list(root)) {
            s.filter(p -> p.getFileName().toString().startsWith(AtomicFiles.TEMP_PREFIX)).forEach(p -> {
                try {
                    if (Files.getLastModifiedTime(p).toInstant().isBefore(cutoff)) {
                        Files.deleteIfExists(p);
                    }
                } catch (IOException ignored) {
                    // another process may be removing it
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + root, e);
        }
    }
}
