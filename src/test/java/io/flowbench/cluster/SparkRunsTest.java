package io.flowbench.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.flowbench.Integration;
import io.flowbench.cli.FlowbenchCli;
import io.flowbench.cli.ForkedCli;
import io.flowbench.report.ReportTables;
import io.flowbench.run.NativeThreads;
import io.flowbench.run.StoppedRuns;
import io.flowbench.tracking.LocalStore;
import io.flowbench.tracking.MlflowTags;
import io.flowbench.tracking.MlflowRest;
import io.flowbench.tracking.MlflowServerProcess;
import io.flowbench.tracking.ServerStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code flowbench run --executor spark} on a real Spark standalone cluster (a master and two one-core workers,
 * each executor a JVM of its own) against a real MLflow server, all on 127.0.0.1: a tiny experiment of 2
 * variants x 2 seeds, uninterrupted (compared with the same runs made one after another in this process), with
 * an executor killed mid-run (the run resumed from its checkpoint on shared storage, or trained again from its
 * first step without it), stopped by SIGINT on the driver, and the cluster's bad inputs.
 */
@Integration
class SparkRunsTest {
    /**
     * Long enough that a run is still training when the test acts on it mid-run (a kill, a SIGINT): 100 steps of
     * these tiny models took 1-3 s on the executors once training was replayed, and a run could finish between
     * the check and the signal.
     */
    private static final int STEPS = 500;
    private static final int LOG_EVERY = 25;
    private static final int EVALUATE_EVERY = 250;
    private static final int CHECKPOINT_EVERY = 50;
    private static final Path CHECKPOINT = Path.of("flowbench-checkpoints", "last.zip");

    @TempDir
    static Path tmp;
    private static MlflowServerProcess server;
    private static StandaloneCluster cluster;
    private static MlflowRest rest;
    /** The uninterrupted cluster run's metric histories, made once: run name -> metric -> values by step. */
    private static Map<String, Map<String, Map<Long, Double>>> uninterrupted;

    @BeforeAll
    static void start() throws Exception {
        server = MlflowServerProcess.sqlite(tmp.resolve("mlflow"));
        rest = new MlflowRest(server.uri());
        // The second worker looks for datasets in an empty folder: it lacks MNIST (only in ./data), not
        // Fashion-MNIST (also in the system's dataset folder).
        Path empty = Files.createDirectories(tmp.resolve("empty-data"));
        cluster = StandaloneCluster.start(tmp.resolve("spark"), List.of(
                Map.of("FLOWBENCH_DATA_DIR", Path.of("data").toAbsolutePath().toString()),
                Map.of("FLOWBENCH_DATA_DIR", empty.toString())));
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private static Path experiment(String name, String extra) throws IOException {
        return experiment(name, "[0, 1]", extra);
    }

    private static Path experiment(String name, String seeds, String extra) throws IOException {
        Path conf = tmp.resolve(name + ".conf");
        Files.writeString(conf, """
                experiment {
                  name = %s
                  seeds = %s
                  data { name = fashion-mnist, subset = 64, test-subset = 30 }
                  model { levels = 2, depth = 1, hidden = 8 }
                  variants = [ { name = glow, model { kind = glow } }, { name = dlf, model { kind = dlf } } ]
                  training { batch-size = 16, steps = %d, warmup-steps = 1, log-every-steps = %d }
                  evaluation { every-steps = %d, test-examples = 30, batch-size = 30, samples = 0 }
                  checkpoint.every-steps = %d
                  tracking.uri = "%s"
                  cluster { executor-memory = 1g, off-heap = 1g }
                  %s
                }
                """.formatted(name, seeds, STEPS, LOG_EVERY, EVALUATE_EVERY, CHECKPOINT_EVERY, server.uri(), extra));
        return conf;
    }

    private static int run(Path conf, StringWriter err, String... more) {
        List<String> args = new ArrayList<>(List.of("run", conf.toString(), "--executor", "spark", "--master", cluster.url()));
        args.addAll(List.of(more));
        return FlowbenchCli.run(new PrintWriter(System.out, true), new PrintWriter(err, true), args.toArray(String[]::new));
    }

    private static List<JsonNode> childRuns(String experiment) {
        return rest.runs(rest.experimentId(experiment)).stream()
                .filter(r -> MlflowRest.keyValues(r.path("data").path("tags")).containsKey("mlflow.parentRunId")).toList();
    }

    /**
     * Each child run's metric histories on the server, checked to hold each run once, FINISHED, with one point
     * per logged step and none missing.
     */
    private static Map<String, Map<String, Map<Long, Double>>> histories(String experiment) {
        Map<String, Map<String, Map<Long, Double>>> out = new TreeMap<>();
        for (JsonNode r : childRuns(experiment)) {
            String name = r.path("info").path("run_name").asText();
            assertEquals("FINISHED", r.path("info").path("status").asText(), name);
            Map<String, Map<Long, Double>> metrics = new TreeMap<>();
            for (String key : List.of("train_bpd", "test_bpd", "final_test_bpd")) {
                List<JsonNode> points = rest.metricHistory(r.path("info").path("run_id").asText(), key);
                Map<Long, Double> byStep = new TreeMap<>();
                points.forEach(p -> byStep.put(p.path("step").asLong(), p.path("value").asDouble()));
                assertEquals(byStep.size(), points.size(), name + ": a step of " + key + " logged twice: " + points);
                metrics.put(key, byStep);
            }
            assertEquals(LongStream.rangeClosed(1, STEPS / LOG_EVERY).map(i -> i * LOG_EVERY).boxed().toList(),
                    List.copyOf(metrics.get("train_bpd").keySet()), name + " logs every step once");
            assertEquals(LongStream.rangeClosed(1, STEPS / EVALUATE_EVERY).map(i -> i * EVALUATE_EVERY).boxed().toList(),
                    List.copyOf(metrics.get("test_bpd").keySet()), name);
            assertTrue(out.put(name, metrics) == null, name + " appears once on the server");
        }
        return out;
    }

    private static synchronized Map<String, Map<String, Map<Long, Double>>> uninterrupted() throws IOException {
        if (uninterrupted == null) {
            StringWriter err = new StringWriter();
            assertEquals(0, run(experiment("spark-basic", ""), err), err::toString);
            uninterrupted = histories("spark-basic");
            assertEquals(List.of("dlf-seed0", "dlf-seed1", "glow-seed0", "glow-seed1"), List.copyOf(uninterrupted.keySet()));
        }
        return uninterrupted;
    }

    @Test
    void everyRunIsOnTheServerOnceWithItsHistoryAndTheReportIsTheSequentialOne() throws Exception {
        uninterrupted();
        Path fromCluster = tmp.resolve("report-cluster");
        assertEquals(0, FlowbenchCli.run("compare", "--experiment", "spark-basic", "--tracking-uri",
                server.uri().toString(), "--out", fromCluster.toString()));

        // The same runs one after another in this process, with the executors' one OpenMP thread.
        Path local = tmp.resolve("mlruns-sequential");
        try (NativeThreads one = NativeThreads.use(1)) {
            assertEquals(0, FlowbenchCli.run("run", tmp.resolve("spark-basic.conf").toString(), "--set",
                    "experiment.tracking.uri=" + local));
        }
        Path sequential = tmp.resolve("report-sequential");
        assertEquals(0, FlowbenchCli.run("compare", "--experiment", "spark-basic", "--tracking-uri", local.toString(),
                "--out", sequential.toString()));
        for (String csv : ReportTables.RESULTS) {
            assertEquals(ReportTables.withoutTimes(sequential.resolve(csv)), ReportTables.withoutTimes(fromCluster.resolve(csv)), csv);
        }
    }

    @Test
    void anExecutorKilledMidRunResumesItsRunFromTheSharedCheckpoint() throws Exception {
        killOneExecutorMidRun(experiment("spark-kill-shared", "checkpoint.dir = \"" + tmp.resolve("shared") + "\""), 4,
                "(checkpoint)");
    }

    @Test
    void anExecutorKilledMidRunWithoutSharedStorageTrainsItsRunAgain() throws Exception {
        killOneExecutorMidRun(experiment("spark-kill-local", "[0]", ""), 2, "attempted again in a new store");
    }

    /**
     * Kills the first worker's executor once both workers' runs have written a checkpoint (every 50 of 500 steps)
     * and sent steps to the server, then expects the run attempted again (as the executors' output says) and every run FINISHED with
     * exactly the uninterrupted runs' histories: each step once, the same values.
     */
    private void killOneExecutorMidRun(Path conf, int runs, String attemptedAgain) throws Exception {
        String name = conf.getFileName().toString().replace(".conf", "");
        Map<String, Map<String, Map<Long, Double>>> expected = new TreeMap<>(uninterrupted());
        long before = checkpoints(); // left by executors killed earlier
        StringWriter err = new StringWriter();
        CompletableFuture<Integer> run = CompletableFuture.supplyAsync(() -> run(conf, err));
        long deadline = System.currentTimeMillis() + 300_000;
        while (checkpoints() < before + 2 || onServer(name) < 2) {
            assertFalse(run.isDone(), () -> "the runs ended before both workers were mid-run: " + err);
            assertTrue(System.currentTimeMillis() < deadline, "the runs did not checkpoint");
            Thread.sleep(100);
        }
        List<ProcessHandle> executors = cluster.executors(0);
        assertEquals(1, executors.size(), "the first worker runs one executor");
        assertTrue(executors.get(0).destroyForcibly(), "the executor was killed");
        assertEquals(0, run.get(), err::toString);
        assertTrue(cluster.executorOutput().contains(attemptedAgain), "a run was attempted again: " + attemptedAgain);
        Map<String, Map<String, Map<Long, Double>>> histories = histories(name);
        assertEquals(runs, histories.size(), histories.keySet()::toString);
        expected.keySet().retainAll(histories.keySet());
        assertEquals(expected, histories, "the runs' histories equal the uninterrupted runs'");
    }

    /** Runs RUNNING on the server with training steps there. */
    private static long onServer(String experiment) {
        try {
            return childRuns(experiment).stream()
                    .filter(r -> r.path("info").path("status").asText().equals("RUNNING"))
                    .filter(r -> !rest.metricHistory(r.path("info").path("run_id").asText(), "train_bpd").isEmpty())
                    .count();
        } catch (RuntimeException | AssertionError e) {
            return 0; // the experiment is not on the server yet
        }
    }

    /** Run checkpoints in the executors' stores, on the workers' disks or the shared storage. */
    private static long checkpoints() throws IOException {
        Path shared = Files.createDirectories(tmp.resolve("shared"));
        return StandaloneCluster.files(tmp.resolve("spark"), f -> f.endsWith(CHECKPOINT)).size()
                + StandaloneCluster.files(shared, f -> f.endsWith(CHECKPOINT)).size();
    }

    /**
     * Ctrl-C on the driver (a JVM of its own, as bin/flowbench runs it) once both workers' runs train: the jobs are
     * cancelled, each run in progress ends KILLED at its next step, checkpointed on the shared storage, on the
     * server with the history its store has, the parent too; the driver says so in one line and exits 130. The
     * same command again continues the stopped runs from their checkpoints: every run ends FINISHED under the new
     * parent with exactly the uninterrupted runs' histories.
     */
    @Test
    void sigintOnTheDriverEndsEveryRunKilledAndTheSameCommandContinuesThem() throws Exception {
        Path shared = tmp.resolve("shared-stop");
        Path conf = experiment("spark-stop", "[0, 1]", "checkpoint.dir = \"" + shared + "\"\n"
                + "variants = [ { name = glow, model { kind = glow } } ]");
        Map<String, Map<String, Map<Long, Double>>> expected = new TreeMap<>(uninterrupted());
        expected.keySet().retainAll(List.of("glow-seed0", "glow-seed1"));
        Path work = Files.createDirectories(tmp.resolve("driver"));
        Path log = work.resolve("driver.log");
        Process driver = ForkedCli.start(work, log, "run", conf.toString(), "--executor", "spark", "--master", cluster.url());
        long deadline = System.currentTimeMillis() + 300_000;
        while (onServer("spark-stop") < 2) {
            assertTrue(driver.isAlive(), () -> "the driver ended before both workers trained: " + read(log));
            assertTrue(System.currentTimeMillis() < deadline, "the runs did not start");
            Thread.sleep(100);
        }
        ForkedCli.signal(driver, "INT");
        assertTrue(driver.waitFor(120, TimeUnit.SECONDS), "the driver ends once the runs are recorded");
        String out = read(log);
        assertEquals(130, driver.exitValue(), out);

        List<JsonNode> runs = childRuns("spark-stop");
        assertEquals(2, runs.size(), "the two runs the workers trained");
        List<String> stopped = new ArrayList<>();
        try (ServerStore store = ServerStore.connect(server.uri(), Duration.ofSeconds(10))) {
            for (JsonNode r : runs) {
                String runId = MlflowRest.keyValues(r.path("data").path("tags")).get(MlflowTags.LOCAL_RUN_ID);
                LocalStore own = new LocalStore(shared.resolve("flowbench-runs").resolve(runId));
                stopped.add(r.path("info").path("run_name").asText() + " KILLED at step "
                        + StoppedRuns.checkKilled(own, runId, store));
            }
            LocalStore driverStore = new LocalStore(work.resolve("mlruns"));
            String parent = driverStore.runs(driverStore.experimentByName("spark-stop").orElseThrow().id()).get(0).runId();
            StoppedRuns.checkParentKilled(driverStore, parent, store, "spark-stop");
            stopped.sort(null); // plan order
            assertEquals(List.of("flowbench run: stopped by SIGINT: " + String.join(", ", stopped) + "; parent run "
                    + parent + " KILLED; the stopped runs keep their histories on " + server.uri() + " and their last "
                    + "checkpoints in " + shared.resolve("flowbench-runs") + "; run the same command again to continue "
                    + "them from there (and train the runs not started)"),
                    out.lines().filter(l -> l.startsWith("flowbench run: stopped")).toList(), out);
        }

        StringWriter err = new StringWriter();
        assertEquals(0, run(conf, err), err::toString);
        assertEquals(expected, histories("spark-stop"), "the continued runs' histories equal the uninterrupted runs'");
        assertEquals(1, childRuns("spark-stop").stream().map(r -> MlflowRest.keyValues(r.path("data").path("tags"))
                .get("mlflow.parentRunId")).distinct().count(), "every run under the new parent");
    }

    /**
     * docs/cluster.md's spark-submit recipe as written, from a folder holding target/ (the packaged application):
     * Spark's own launcher starts the driver with the master it was given, and the executors find the classes
     * although the class path it was given is relative.
     */
    @Test
    void theSparkSubmitRecipeRunsAnExperiment() throws Exception {
        Path work = Files.createDirectories(tmp.resolve("submit"));
        Files.createSymbolicLink(work.resolve("target"), Path.of("target").toAbsolutePath());
        Path conf = experiment("spark-submit", "[0]", "variants = [ { name = glow, model { kind = glow } } ]\n"
                + "training.steps = 20\nevaluation.every-steps = 20\nprobe.enabled = false");
        Path log = work.resolve("submit.log");
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "@" + Path.of("bin", "spark-jvm.args").toAbsolutePath(), "-cp", "target/flowbench.jar:target/lib-cpu/*",
                "org.apache.spark.deploy.SparkSubmit", "--master", cluster.url(), "--class", FlowbenchCli.class.getName(),
                "target/flowbench.jar", "run", conf.toString(), "--executor", "spark")
                .directory(work.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("OMP_NUM_THREADS", "1");
        Process submit = pb.start();
        assertTrue(submit.waitFor(5, TimeUnit.MINUTES), "spark-submit ended");
        assertEquals(0, submit.exitValue(), read(log));
        List<JsonNode> runs = childRuns("spark-submit");
        assertEquals(List.of("FINISHED"), runs.stream().map(r -> r.path("info").path("status").asText()).toList());
    }

    private static String read(Path log) {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void aWorkerWithoutTheDatasetIsNamedBeforeAnyRun() throws Exception {
        Path conf = experiment("spark-no-mnist", "data { name = mnist, subset = 64, test-subset = 30 }");
        StringWriter err = new StringWriter();
        assertEquals(2, run(conf, err), err::toString);
        String message = err.toString().strip();
        assertTrue(message.startsWith("flowbench run: not every worker can train this experiment: worker 127.0.0.1 (executor "),
                message);
        assertTrue(message.contains("dataset mnist: ") && message.contains("data install"), message);
        assertEquals(1, message.lines().count(), message);
        try (ServerStore store = ServerStore.connect(server.uri(), Duration.ofSeconds(10))) {
            assertTrue(store.experimentByName("spark-no-mnist").isEmpty(), "nothing was recorded");
        }
    }

    @Test
    void anUnreachableMasterIsRefusedBeforeAnyRun() throws Exception {
        Path conf = experiment("spark-no-master", "");
        StringWriter err = new StringWriter();
        String master = "spark://127.0.0.1:" + MlflowServerProcess.freePort();
        assertEquals(2, FlowbenchCli.run(new PrintWriter(System.out, true), new PrintWriter(err, true),
                "run", conf.toString(), "--executor", "spark", "--master", master), err::toString);
        assertTrue(err.toString().startsWith("flowbench run: cannot reach the Spark master " + master + ": 127.0.0.1:"),
                err::toString);
        assertTrue(err.toString().contains("start it (sbin/start-master.sh on that host) or correct --master"), err::toString);

        StringWriter badPort = new StringWriter();
        assertEquals(2, FlowbenchCli.run(new PrintWriter(System.out, true), new PrintWriter(badPort, true),
                "run", conf.toString(), "--executor", "spark", "--master", "spark://127.0.0.1:x"), badPort::toString);
        assertEquals("flowbench run: --master spark://127.0.0.1:x: 'x' is not a port; write it like spark://HOST:7077",
                badPort.toString().strip());
    }
}
