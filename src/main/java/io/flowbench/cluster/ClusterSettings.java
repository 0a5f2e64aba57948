package io.flowbench.cluster;

import com.typesafe.config.Config;

/**
 * How an experiment's runs are spread over a Spark cluster: the master, the executors' class path, cores and
 * memory per run, attempts per run, and where the runs' stores go (storage all workers share, or each
 * executor's own disk). From {@code experiment.cluster} and {@code experiment.checkpoint.dir}, with the
 * command line's {@code --master} and {@code --parallel}.
 *
 * @param parallel at most this many runs at once (0: as many as the cluster has cores for)
 */
public record ClusterSettings(String master, String executorClasspath, int taskCores, long executorMemoryBytes,
                              long offHeapBytes, int taskMaxFailures, int executorWaitSeconds, String sharedDir,
                              int parallel) {

    public static ClusterSettings from(Config resolved, String master, int parallel) {
        Config c = resolved.getConfig("experiment.cluster");
        String classpath = c.getString("executor-classpath");
        return new ClusterSettings(master, classpath.isBlank() ? System.getProperty("java.class.path") : classpath,
                c.getInt("task-cores"), c.getBytes("executor-memory"), c.getBytes("off-heap"),
                c.getInt("task-max-failures"), c.getInt("executor-wait-seconds"),
                resolved.getString("experiment.checkpoint.dir"), parallel);
    }

    /** Spark's notation for a size in bytes: whole mebibytes. */
    static String mebibytes(long bytes) {
        return Math.max(1, bytes >> 20) + "m";
    }
}
