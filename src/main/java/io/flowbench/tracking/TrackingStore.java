package io.flowbench.tracking;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where MLflow runs are kept: the embedded {@link LocalStore} (an ./mlruns directory in MLflow's file-store
 * layout) or an MLflow tracking server ({@link ServerStore}). The same operations on both, so a report can be
 * rebuilt from either and {@link Syncer} can copy runs from one to the other. Keys and values must already
 * obey MLflow's rules ({@link MlflowNames}); {@link Tracker} sees to that.
 */
public interface TrackingStore extends AutoCloseable {

    /** Says where the store is (a path or a URI), for messages. */
    String describe();

    /** A short stable name for this store, usable in file names (e.g. {@code 127.0.0.1_5000-1a2b3c4d}). */
    String key();

    /** The id of the active experiment with this name, created when there is none. */
    String getOrCreateExperiment(String name);

    Optional<ExperimentRecord> experiment(String experimentId);

    Optional<ExperimentRecord> experimentByName(String name);

    /** All experiments, active and deleted. */
    List<ExperimentRecord> experiments();

    /** Sets a tag of an active experiment (overwritten; the same value again changes nothing). */
    void setExperimentTag(String experimentId, String key, String value);

    /** Creates a RUNNING run; {@code tags} may carry {@link MlflowTags#PARENT_RUN_ID} to nest it. */
    RunRecord createRun(String experimentId, String runName, long startTime, Map<String, String> tags);

    /**
     * Logs metrics (appended to their histories), params (write-once: the same value again is accepted, a
     * different one is an error) and tags (overwritten). Sizes are not limited here; stores batch as needed.
     */
    void logBatch(String runId, List<MetricPoint> metrics, Map<String, String> params, Map<String, String> tags);

    /** Stores a file, or a directory's files, under {@code artifactPath} ("" or null: the artifact root). */
    void logArtifact(String runId, Path fileOrDirectory, String artifactPath);

    /**
     * Sets a run's status: a terminal one with its end time, or RUNNING (end time null) when a run is resumed.
     * A server only takes terminal states.
     */
    void updateRun(String runId, RunStatus status, Long endTime);

    RunRecord run(String runId);

    /** The active runs of an experiment, newest first. */
    List<RunRecord> runs(String experimentId);

    /** The active run of an experiment with this tag value, if any. */
    Optional<RunRecord> findRunByTag(String experimentId, String tagKey, String tagValue);

    /** Every logged value of a metric, in logging order; empty when the key was never logged. */
    List<MetricPoint> metricHistory(String runId, String key);

    /** Paths (relative to the run's artifact root, '/'-separated) and sizes of all artifact files. */
    Map<String, Long> artifacts(String runId);

    @Override
    default void close() {
    }
}
