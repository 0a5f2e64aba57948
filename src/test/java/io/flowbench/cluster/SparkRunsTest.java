package io.flowbench.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.flowbench.cli.FlowbenchCli;
import io.flowbench.tracking.MlflowRest;
import io.flowbench.tracking.MlflowServerProcess;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.factory.Environment;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code flowbench run --executor spark} on a real Spark standalone cluster (a master and two one-core workers,
 * each executor its own JVM) against a real MLflow server, all on 127.0.0.1.
 */
class SparkRunsTest {
    @TempDir
    static Path tmp;
    private static MlflowServerProcess server;
    private static StandaloneCluster cluster;
    private static MlflowRest rest;

    @BeforeAll
    static void start() throws Exception {
        server = MlflowServerProcess.sqlite(tmp.resolve("mlflow"));
        rest = new MlflowRest(server.uri());
        // The second worker looks for datasets in an empty folder: it lacks MNIST (only in ./data), not
        // Fashion-MNIST (also found in the system's dataset folder).
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

    /** 2 variants x 2 seeds of a tiny experiment, tracked on the server. */
    private Path experiment(String name, int steps, String extra) throws Exception {
        Path conf = tmp.resolve(name + ".conf");
        Files.writeString(conf, """
                experiment {
                  name = %s
                  seeds = [0, 1]
                  data { name = fashion-mnist, subset = 64, test-subset = 30 }
                  model { levels = 2, depth = 1, hidden = 8 }
                  variants = [ { name = glow, model { kind = glow } }, { name = dlf, model { kind = dlf } } ]
                  training { batch-size = 16, steps = %d, warmup-steps = 1, log-every-steps = 5 }
                  evaluation { every-steps = 10, test-examples = 30, batch-size = 30, samples = 0 }
                  checkpoint.every-steps = 10
                  tracking.uri = "%s"
                  cluster { executor-memory = 1g, off-heap = 1g }
                  %s
                }
                """.formatted(name, steps, server.uri(), extra));
        return conf;
    }

    private int run(Path conf, StringWriter err, String... more) {
        List<String> args = new ArrayList<>(List.of("run", conf.toString(), "--executor", "spark", "--master", cluster.url()));
        args.addAll(List.of(more));
        return FlowbenchCli.run(new PrintWriter(System.out, true), new PrintWriter(err, true), args.toArray(String[]::new));
    }

    /** Each child run's metric histories on the server: run name -> metric -> steps, in logging order. */
    private Map<String, Map<String, List<Long>>> steps(String experiment) {
        Map<String, Map<String, List<Long>>> out = new TreeMap<>();
        for (JsonNode r : rest.runs(rest.experimentId(experiment))) {
            Map<String, String> tags = MlflowRest.keyValues(r.path("data").path("tags"));
            if (!tags.containsKey("mlflow.parentRunId")) {
                continue;
            }
            String name = r.path("info").path("run_name").asText();
            assertEquals("FINISHED", r.path("info").path("status").asText(), name);
            Map<String, List<Long>> m = new TreeMap<>();
            for (String key : List.of("train_bpd", "test_bpd", "final_test_bpd", "images_seen")) {
                m.put(key, rest.metricHistory(r.path("info").path("run_id").asText(), key).stream()
                        .map(p -> p.path("step").asLong()).collect(Collectors.toList()));
            }
            assertTrue(out.put(name, m) == null, name + " appears once on the server");
        }
        return out;
    }

    @Test
    void everyRunIsOnTheServerOnceWithItsWholeHistoryAndTheReportIsTheSequentialOne() throws Exception {
        StringWriter err = new StringWriter();
        Path conf = experiment("spark-basic", 10, "");
        assertEquals(0, run(conf, err), err::toString);
        Map<String, Map<String, List<Long>>> steps = steps("spark-basic");
        assertEquals(List.of("dlf-seed0", "dlf-seed1", "glow-seed0", "glow-seed1"), List.copyOf(steps.keySet()));
        for (Map.Entry<String, Map<String, List<Long>>> e : steps.entrySet()) {
            assertEquals(List.of(5L, 10L), e.getValue().get("train_bpd"), e.getKey());
            assertEquals(List.of(10L), e.getValue().get("test_bpd"), e.getKey());
            assertEquals(List.of(10L), e.getValue().get("final_test_bpd"), e.getKey());
        }
        Path fromCluster = tmp.resolve("report-cluster");
        assertEquals(0, FlowbenchCli.run("compare", "--experiment", "spark-basic", "--tracking-uri", server.uri().toString(),
                "--out", fromCluster.toString()));

        // The same runs one after another in this process, with the executors' one OpenMP thread.
        Path local = tmp.resolve("mlruns-sequential");
        Environment env = Nd4j.getEnvironment();
        int threads = env.maxThreads();
        env.setMaxThreads(1);
        try {
            assertEquals(0, FlowbenchCli.run("run", conf.toString(), "--set", "experiment.tracking.uri=" + local));
        } finally {
            env.setMaxThreads(threads);
        }
        Path sequential = tmp.resolve("report-sequential");
        assertEquals(0, FlowbenchCli.run("compare", "--experiment", "spark-basic", "--tracking-uri", local.toString(),
                "--out", sequential.toString()));
        assertEquals(Files.readString(sequential.resolve("likelihood.csv")), Files.readString(fromCluster.resolve("likelihood.csv")));
    }
}
