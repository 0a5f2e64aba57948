package io.flowbench.tracking;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code mlflow server} on 127.0.0.1 for the integration tests, from the repository's .venv (made by
 * ci/mlflow-venv.sh, which bin/test runs first). Missing MLflow fails the test with that instruction: these
 * tests must run in CI, not be skipped.
 */
public final class MlflowServerProcess implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);

    private final List<String> command;
    private final Path workDir;
    private final Path log;
    private final int port;
    private Process process;

    private MlflowServerProcess(List<String> command, Path workDir, int port) {
        this.command = command;
        this.workDir = workDir;
        this.log = workDir.resolve("mlflow-server-" + port + ".log");
        this.port = port;
    }

    static Path mlflow() {
        return MlflowInstall.find().orElseGet(() -> fail("The tracking integration tests need the pinned MLflow: run "
                + "ci/mlflow-venv.sh at the repository root (bin/test does it before Maven). " + MlflowInstall.installHint()));
    }

    /** A server with a SQLite backend in {@code dir} and the artifact proxy on (artifacts in {@code dir}/artifacts). */
    public static MlflowServerProcess sqlite(Path dir) {
        return sqlite(dir, freePort());
    }

    static MlflowServerProcess sqlite(Path dir, int port) {
        return start(dir, port, "sqlite:///" + dir.toAbsolutePath().resolve("mlflow.db"));
    }

    /** A server reading an MLflow file store (an ./mlruns directory). */
    static MlflowServerProcess fileStore(Path workDir, Path mlruns) {
        return start(workDir, freePort(), mlruns.toAbsolutePath().toString());
    }

    private static MlflowServerProcess start(Path dir, int port, String backendStoreUri) {
        List<String> cmd = new ArrayList<>(List.of(mlflow().toString(), "server", "--host", "127.0.0.1",
                "--port", Integer.toString(port), "--workers", "1", "--backend-store-uri", backendStoreUri,
                "--serve-artifacts", "--artifacts-destination", dir.toAbsolutePath().resolve("artifacts").toString()));
        MlflowServerProcess s = new MlflowServerProcess(cmd, dir, port);
        s.start();
        return s;
    }

    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public URI uri() {
        return URI.create("http://127.0.0.1:" + port);
    }

    int port() {
        return port;
    }

    /** (Re)starts the server with the same command and waits until /health answers. */
    void start() {
        try {
            Files.createDirectories(workDir);
            ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            pb.environment().putAll(MlflowInstall.environment());
            pb.environment().remove("MLFLOW_TRACKING_URI");
            process = pb.start();
            Process started = process;
            // a test JVM that dies (timeout, Ctrl-C) must not leave servers behind
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                started.descendants().forEach(ProcessHandle::destroyForcibly);
                started.destroyForcibly();
            }));
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + command, e);
        }
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                fail("mlflow server exited with " + process.exitValue() + " before answering:\n" + logTail());
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri().resolve("/health"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not up yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            sleep(250);
        }
        kill();
        fail("mlflow server did not answer /health within " + START_TIMEOUT.toSeconds() + " s:\n" + logTail());
    }

    /** SIGKILL to the server and all its processes: a crash, as in an outage. */
    void kill() {
        if (process == null) {
            return;
        }
        List<ProcessHandle> all = new ArrayList<>(process.descendants().toList());
        all.add(process.toHandle());
        all.forEach(ProcessHandle::destroyForcibly);
        all.forEach(h -> h.onExit().orTimeout(10, TimeUnit.SECONDS).exceptionally(t -> h).join());
        process = null;
    }

    /** Stops the server (SIGTERM, then SIGKILL after 10 s). */
    @Override
    public void close() {
        if (process == null) {
            return;
        }
        List<ProcessHandle> all = new ArrayList<>(process.descendants().toList());
        all.add(process.toHandle());
        all.forEach(ProcessHandle::destroy);
        for (ProcessHandle h : all) {
            try {
                h.onExit().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                h.destroyForcibly();
            }
        }
        process = null;
    }

    String logTail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
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
}
