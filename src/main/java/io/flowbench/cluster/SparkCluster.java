package io.flowbench.cluster;

import io.flowbench.run.ExperimentPlan;
import io.flowbench.tracking.TrackingTarget;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * The Spark application of one cluster run, open once everything a run needs has been checked: an http(s)
 * tracking server (executors' own stores are not shared), a master that answers, at least one executor, and
 * every executor able to read the experiment's datasets. Each executor runs one run at a time with
 * {@code task-cores} OpenMP threads, its own JavaCPP cache directory (in its work directory) and the native
 * memory limit of {@code off-heap} (see {@link ClusterSettings}); a task whose executor dies is attempted again ({@code task-max-failures}),
 * never speculatively.
 */
final class SparkCluster implements AutoCloseable {
    private static final int CONNECT_TIMEOUT_MS = 5_000;
    private static final int CHECK_ROUNDS = 5;

    private final JavaSparkContext context;
    private final String master;

    private SparkCluster(JavaSparkContext context, String master) {
        this.context = context;
        this.master = master;
    }

    JavaSparkContext context() {
        return context;
    }

    String master() {
        return master;
    }

    /** Refuses a cluster run whose runs would have nowhere to meet: a tracking URI that is no http(s) server. */
    static URI trackingServer(String trackingUri) {
        return TrackingTarget.parse(trackingUri).server().orElseThrow(() -> new ClusterException("a cluster run "
                + "needs an MLflow tracking server every worker reaches, and experiment.tracking.uri is '" + trackingUri
                + "' (each executor's ./mlruns is its own): set it, e.g. --set 'experiment.tracking.uri=\"http://HOST:5000\"'"));
    }

    /** Starts the application on {@code settings.master()} and checks its executors, or says what to fix. */
    static SparkCluster open(ClusterSettings settings, ExperimentPlan plan) {
        String master = settings.master() != null ? settings.master() : new SparkConf().get("spark.master", null);
        if (master == null || master.isBlank()) {
            throw new ClusterException("--executor spark needs the cluster: give --master spark://HOST:7077 "
                    + "(or run flowbench through spark-submit --master ...)");
        }
        checkReachable(master);
        JavaSparkContext context;
        try {
            context = new JavaSparkContext(conf(settings, master, plan.experiment().name()));
        } catch (RuntimeException e) {
            throw new ClusterException("cannot start the Spark application on " + master + ": " + e.getMessage(), e);
        }
        SparkCluster cluster = new SparkCluster(context, master);
        try {
            cluster.awaitExecutors(settings.executorWaitSeconds());
            cluster.checkWorkers(new ShippedExperiment(plan));
            return cluster;
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    private static SparkConf conf(ClusterSettings s, String master, String experimentName) {
        String cores = Integer.toString(s.taskCores());
        // Per executor, relative to its work directory: executors on one host never share JavaCPP's extraction.
        String javaOptions = "-Dorg.bytedeco.javacpp.cachedir=javacpp-cache"
                + " -Dorg.bytedeco.javacpp.maxbytes=" + s.offHeapBytes()
                + " -Dorg.bytedeco.javacpp.maxphysicalbytes=" + (s.executorMemoryBytes() + s.offHeapBytes());
        SparkConf conf = new SparkConf()
                .setMaster(master)
                .setAppName("flowbench " + experimentName)
                .set("spark.executor.extraClassPath", s.executorClasspath())
                .set("spark.executor.extraJavaOptions", javaOptions)
                .set("spark.executor.cores", cores)
                .set("spark.task.cpus", cores)
                .set("spark.executorEnv.OMP_NUM_THREADS", cores)
                .set("spark.executor.memory", ClusterSettings.mebibytes(s.executorMemoryBytes()))
                .set("spark.executor.memoryOverhead", ClusterSettings.mebibytes(s.memoryOverheadBytes()))
                .set("spark.task.maxFailures", Integer.toString(s.taskMaxFailures()))
                .set("spark.speculation", "false");
        if (s.parallel() > 0) {
            conf.set("spark.cores.max", Integer.toString(s.parallel() * s.taskCores()));
        }
        return conf;
    }

    /** A standalone master must accept connections; Spark itself would retry for a minute before saying so. */
    private static void checkReachable(String master) {
        if (!master.startsWith("spark://")) {
            return;
        }
        List<String> refused = new ArrayList<>();
        for (String hostPort : master.substring("spark://".length()).split(",")) {
            int colon = hostPort.lastIndexOf(':');
            String host = colon < 0 ? hostPort : hostPort.substring(0, colon);
            String portText = colon < 0 ? "7077" : hostPort.substring(colon + 1);
            if (!portText.matches("\\d{1,5}")) {
                throw new ClusterException("--master " + master + ": '" + portText + "' is not a port; write it like "
                        + "spark://HOST:7077");
            }
            int port = Integer.parseInt(portText);
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(host, port), CONNECT_TIMEOUT_MS);
                return;
            } catch (IOException e) {
                refused.add(host + ":" + port + " (" + e.getMessage() + ")");
            }
        }
        throw new ClusterException("cannot reach the Spark master " + master + ": " + String.join(", ", refused)
                + "; start it (sbin/start-master.sh on that host) or correct --master");
    }

    /** Waits until an executor besides the driver has registered. */
    private void awaitExecutors(int seconds) {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        while (context.sc().statusTracker().getExecutorInfos().length < 2) {
            if (System.nanoTime() > deadline) {
                throw new ClusterException("no executor started on " + master + " within " + seconds + " s: check in "
                        + "the master's web UI that workers are registered with free cores (experiment.cluster.task-cores)"
                        + " and memory (executor-memory + off-heap), and read why executors exited in the workers' "
                        + "work/<application id>/<executor id>/stderr (a class path that does not exist there, say: "
                        + "experiment.cluster.executor-classpath), or raise experiment.cluster.executor-wait-seconds");
            }
            sleep(200);
        }
    }

    /**
     * Runs the check on every executor registered now (short tasks, more than executors, until each has
     * answered) and refuses the run, naming each worker and what it lacks, when any check failed.
     */
    private void checkWorkers(ShippedExperiment experiment) {
        int executors = context.sc().statusTracker().getExecutorInfos().length - 1; // less the driver
        Set<String> answered = new HashSet<>();
        List<String> problems = new ArrayList<>();
        for (int round = 0; round < CHECK_ROUNDS && answered.size() < executors; round++) {
            List<Integer> slots = IntStream.range(0, 2 * executors).boxed().toList();
            for (WorkerCheck check : context.parallelize(slots, slots.size()).map(i -> WorkerCheck.here(experiment)).collect()) {
                if (answered.add(check.executorId()) && !check.problems().isEmpty()) {
                    problems.add(check.describe());
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new ClusterException("not every worker can train this experiment: " + String.join(" | ", problems)
                    + ". Install the dataset on those workers (bin/flowbench data install NAME, or copy it to their "
                    + "FLOWBENCH_DATA_DIR), or put it on storage every worker mounts and set experiment.data.path");
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the cluster", e);
        }
    }

    @Override
    public void close() {
        context.stop();
    }
}
