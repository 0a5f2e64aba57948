package io.flowbench.cluster;

import static org.junit.jupiter.api.Assertions.fail;

import io.flowbench.tracking.MlflowServerProcess;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A real Spark standalone cluster on 127.0.0.1 for the tests, from the Maven jars on the test class path: a
 * master and workers, each in its own JVM (as sbin/start-master.sh and start-worker.sh would start them), whose
 * executors are JVMs of their own. Each worker has one core (one run at a time), its own scratch space
 * ({@code worker-<i>-local}) and its own environment, so a test can give one of them other data locations.
 */
final class StandaloneCluster implements AutoCloseable {
    private static final long START_TIMEOUT_MS = 120_000;

    private final Path dir;
    private final int port = MlflowServerProcess.freePort();
    private final List<Process> processes = new ArrayList<>();
    private final List<Process> workers = new ArrayList<>();

    private StandaloneCluster(Path dir) {
        this.dir = dir;
    }

    /** A master and one worker per environment (each worker: 1 core, 3 GiB for executors). */
    static StandaloneCluster start(Path dir, List<Map<String, String>> workerEnvironments) throws IOException {
        StandaloneCluster c = new StandaloneCluster(dir);
        try {
            // Spark's launcher looks for SPARK_HOME/jars; the executors' classes come from their extra class path.
            Files.createDirectories(dir.resolve("spark-home").resolve("jars"));
            c.processes.add(c.java("master", Map.of(), "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1",
                    "--port", Integer.toString(c.port), "--webui-port", "0"));
            c.awaitPort(c.port);
            for (int i = 0; i < workerEnvironments.size(); i++) {
                Path work = Files.createDirectories(dir.resolve("worker-" + i));
                Map<String, String> env = new HashMap<>(workerEnvironments.get(i));
                env.put("SPARK_LOCAL_DIRS", Files.createDirectories(dir.resolve("worker-" + i + "-local")).toString());
                Process w = c.java("worker-" + i, env, "org.apache.spark.deploy.worker.Worker",
                        "--host", "127.0.0.1", "--cores", "1", "--memory", "3g", "--work-dir", work.toString(),
                        "--webui-port", "0", c.url());
                c.processes.add(w);
                c.workers.add(w);
            }
            c.awaitWorkers(workerEnvironments.size());
            return c;
        } catch (RuntimeException | IOException e) {
            c.close();
            throw e;
        }
    }

    String url() {
        return "spark://127.0.0.1:" + port;
    }

    /** Everything the executors printed so far (their stdout files in the workers' work directories). */
    String executorOutput() throws IOException {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < workers.size(); i++) {
            for (Path f : files(dir.resolve("worker-" + i), f -> f.getFileName().toString().equals("stdout"))) {
                out.append(Files.readString(f));
            }
        }
        return out.toString();
    }

    /**
     * The files under a directory that match, skipping entries removed while it is walked: executors delete
     * their scratch space as they end or are killed, which makes {@link Files#walk} throw.
     */
    static List<Path> files(Path root, Predicate<Path> match) throws IOException {
        List<Path> found = new ArrayList<>();
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                if (match.test(file)) {
                    found.add(file);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                if (e instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE;
                }
                throw e;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                if (e != null && !(e instanceof NoSuchFileException)) {
                    throw e;
                }
                return FileVisitResult.CONTINUE;
            }
        });
        return found;
    }

    /** The executor JVMs a worker runs now. */
    List<ProcessHandle> executors(int worker) {
        return workers.get(worker).descendants().filter(ProcessHandle::isAlive).toList();
    }

    private Process java(String name, Map<String, String> env, String mainClass, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-Dorg.slf4j.simpleLogger.log.org.apache.spark.deploy=info",
                "@" + Path.of("bin", "spark-jvm.args").toAbsolutePath(),
                "-cp", System.getProperty("java.class.path"), mainClass));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".log").toFile());
        pb.environment().put("SPARK_HOME", dir.resolve("spark-home").toString());
        pb.environment().put("SPARK_SCALA_VERSION", "2.13");
        pb.environment().putAll(env);
        Process p = pb.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }));
        return p;
    }

    private void awaitPort(int p) {
        long deadline = System.currentTimeMillis() + START_TIMEOUT_MS;
        while (System.currentTimeMillis() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", p), 1000);
                return;
            } catch (IOException e) {
                sleep(250);
            }
        }
        fail("the Spark master did not listen on port " + p + ":\n" + log("master"));
    }

    /** Waits until every worker says, in its log, that the master registered it. */
    private void awaitWorkers(int count) {
        long deadline = System.currentTimeMillis() + START_TIMEOUT_MS;
        for (int i = 0; i < count; i++) {
            while (!log("worker-" + i).contains("Successfully registered with master")) {
                if (System.currentTimeMillis() > deadline) {
                    fail("Spark worker " + i + " did not register:\n" + log("worker-" + i));
                }
                sleep(250);
            }
        }
    }

    String log(String name) {
        try {
            String s = Files.readString(dir.resolve(name + ".log"));
            return s.substring(Math.max(0, s.length() - 4000));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        for (Process p : processes) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }
}
