package io.flowbench.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowbench.Integration;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run is trained by one process at a time: another process, or another invocation in this JVM, is refused
 * with the holder's pid@host, and a holder killed with SIGKILL leaves no stale lock.
 */
@Integration
class RunLockTest {
    @TempDir
    Path dir;

    /** Locks the run directory given as argument: "hold" keeps it until stdin closes; "try" reports and exits. */
    public static void main(String[] args) throws Exception {
        try (RunLock lock = RunLock.acquire(Path.of(args[0]), "r1")) {
            System.out.println("locked");
            System.out.flush();
            if (args[1].equals("hold")) {
                System.in.read();
            }
        } catch (RunRefusedException e) {
            System.out.println("refused: " + e.getMessage());
        }
    }

    private Process java(String mode) throws Exception {
        return new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), RunLockTest.class.getName(), dir.toString(), mode)
                .redirectErrorStream(true).start();
    }

    private static String firstLine(Process p) throws Exception {
        return new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
    }

    @Test
    void anotherProcessHoldingTheRunIsNamedAndItsDeathFreesIt() throws Exception {
        Process holder = java("hold");
        try {
            assertEquals("locked", firstLine(holder));
            RunRefusedException e = assertThrows(RunRefusedException.class, () -> RunLock.acquire(dir, "r1"));
            assertTrue(e.getMessage().contains("being trained by " + holder.pid() + "@"), e.getMessage());
        } finally {
            holder.destroyForcibly(); // SIGKILL: no chance to unlock
            assertTrue(holder.waitFor(30, TimeUnit.SECONDS));
        }
        try (RunLock lock = RunLock.acquire(dir, "r1")) {
            assertTrue(lock != null, "the OS released the dead holder's lock");
        }
    }

    @Test
    void aSecondAttemptInThisJvmIsRefusedAndDoesNotReleaseTheFirst() throws Exception {
        try (RunLock first = RunLock.acquire(dir, "r1")) {
            RunRefusedException e = assertThrows(RunRefusedException.class, () -> RunLock.acquire(dir, "r1"));
            assertTrue(e.getMessage().contains(ProcessHandle.current().pid() + "@"), e.getMessage());
            Process other = java("try");
            String line = firstLine(other);
            assertTrue(other.waitFor(60, TimeUnit.SECONDS));
            assertTrue(line.startsWith("refused: ") && line.contains(ProcessHandle.current().pid() + "@"),
                    "still held against other processes: " + line);
        }
        try (RunLock again = RunLock.acquire(dir, "r1")) {
            assertTrue(again != null, "released when its holder closes it");
        }
    }
}
