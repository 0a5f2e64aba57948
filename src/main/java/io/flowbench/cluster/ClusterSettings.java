package io.flowbench.cluster;

import com.typesafe.config.Config;
import io.flowbench.run.ExperimentPlan;
import java.io.File;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * How an experiment's runs are spread over a Spark cluster: the master, the executors' class path, cores and
 * memory per run, attempts per run, and where the runs' stores go (storage all workers share, or each
 * executor's own disk). The executors' class path is the driver's own, made absolute, unless
 * {@code cluster.executor-classpath} gives it. From {@code experiment.cluster} and {@code experiment.checkpoint.dir}, with the
 * command line's {@code --master} and {@code --parallel}. The off-heap limit is {@code cluster.off-heap}, or with
 * {@code auto} the {@link OffHeapEstimate} of the largest planned run.
 *
 * @param offHeapNote what to tell the user about the off-heap limit: the estimate and why, or that an explicit
 *                    size is below it (empty when there is nothing to say)
 * @param parallel at most this many runs at once (0: as many as the cluster has cores for)
 */
public record ClusterSettings(String master, String executorClasspath, int taskCores, long executorMemoryBytes,
                              long offHeapBytes, int taskMaxFailures, int executorWaitSeconds, String sharedDir,
                              int parallel, String offHeapNote) {
    static final String AUTO = "auto";

    public static ClusterSettings from(ExperimentPlan plan, String master, int parallel) {
        Config resolved = plan.experiment().resolved();
        Config c = resolved.getConfig("experiment.cluster");
        String classpath = c.getString("executor-classpath");
        OffHeapEstimate estimate = OffHeapEstimate.largest(plan.runs());
        long offHeap;
        String note;
        if (c.getValue("off-heap").unwrapped().equals(AUTO)) {
            offHeap = estimate.bytes();
            note = "off-heap limit per executor (experiment.cluster.off-heap = auto): " + estimate.describe();
        } else {
            offHeap = c.getBytes("off-heap");
            note = offHeap >= estimate.bytes() ? "" : "warning: experiment.cluster.off-heap = " + (offHeap >> 20)
                    + " MiB is below the estimate of " + estimate.describe() + "; a run may fail with an off-heap"
                    + " OutOfMemoryError: raise it or set it to auto";
        }
        return new ClusterSettings(master, classpath.isBlank() ? absolute(System.getProperty("java.class.path")) : classpath,
                c.getInt("task-cores"), c.getBytes("executor-memory"), offHeap,
                c.getInt("task-max-failures"), c.getInt("executor-wait-seconds"),
                resolved.getString("experiment.checkpoint.dir"), parallel, note);
    }

    /**
     * A class path with each entry made absolute (a wildcard folder stays one): executors start in their own work
     * directories, where the driver's relative entries (java -cp "target/flowbench.jar:target/lib-cpu/*") name nothing.
     */
    static String absolute(String classpath) {
        return Arrays.stream(classpath.split(File.pathSeparator)).filter(e -> !e.isBlank())
                .map(e -> Path.of(e).toAbsolutePath().normalize().toString())
                .collect(Collectors.joining(File.pathSeparator));
    }

    /**
     * Spark's {@code memoryOverhead}, the native memory a cluster manager (YARN, Kubernetes) lets an executor hold
     * beyond its heap before killing it: the off-heap limit plus headroom. JavaCPP enforces {@code maxphysicalbytes}
     * (heap + off-heap) only when it allocates, by collecting garbage, so resident memory was measured above it
     * (by up to 530 MiB, a quarter of a 2 GiB off-heap limit; docs/cluster.md); the headroom is a third of the
     * off-heap limit, at least Spark's own minimum overhead of 384 MiB.
     */
    long memoryOverheadBytes() {
        return offHeapBytes + Math.max(384L << 20, offHeapBytes / 3);
    }

    /** Spark's notation for a size in bytes: whole mebibytes. */
    static String mebibytes(long bytes) {
        return Math.max(1, bytes >> 20) + "m";
    }
}
