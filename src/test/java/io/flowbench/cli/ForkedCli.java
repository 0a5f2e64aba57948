package io.flowbench.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@code flowbench} in a JVM of its own, as bin/flowbench starts it, for tests that signal or kill it. */
public final class ForkedCli {
    private ForkedCli() {
    }

    /** Starts {@code flowbench args...} in {@code workDir} (its ./mlruns), its stdout and stderr in {@code log}. */
    public static Process start(Path workDir, Path log, String... args) throws IOException {
        // A shell starts background jobs with SIGINT ignored, and a JVM keeps an ignored SIGINT ignored: so a
        // test run from such a job (CI, nohup) restores the default, as a terminal's Ctrl-C finds it (GNU env).
        List<String> cmd = new ArrayList<>(List.of("env", "--default-signal=INT",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g", "@" + Path.of("bin", "spark-jvm.args").toAbsolutePath(),
                "-cp", System.getProperty("java.class.path"), FlowbenchCli.class.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().put("OMP_NUM_THREADS", "1");
        Process p = pb.start();
        Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly)); // never left behind by a failed test
        return p;
    }

    /** Sends {@code signal} ("INT", "TERM") to the process, as Ctrl-C or kill would. */
    public static void signal(Process p, String signal) throws IOException, InterruptedException {
        int rc = new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).inheritIO().start().waitFor();
        if (rc != 0) {
            throw new IllegalStateException("kill -" + signal + " " + p.pid() + " exited with " + rc);
        }
    }
}
