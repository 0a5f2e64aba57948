package io.flowbench.run;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The right to train one run, held from its start (or resume) to its end: an OS lock on
 * {@code <run dir>/flowbench.lock}, which the OS drops when the holder dies, so a killed process never
 * leaves a stale lock. The file holds the holder's {@code pid@host}, named when another invocation is refused.
 * <p>
 * POSIX drops all of a process's locks on a file when any of its descriptors of that file is closed, so
 * within this JVM a held run is known from {@link #HELD} and its file is never opened a second time.
 */
public final class RunLock implements AutoCloseable {
    static final String FILE = "flowbench.lock";
    private static final Map<Path, String> HELD = new ConcurrentHashMap<>();

    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;

    private RunLock(Path file, FileChannel channel, FileLock lock) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
    }

    /** Locks the run in this directory, or refuses ({@link Held}) naming the process that holds it. */
    public static RunLock acquire(Path runDir, String runId) {
        Path file = runDir.resolve(FILE).toAbsolutePath().normalize();
        String self = self();
        String inThisJvm = HELD.putIfAbsent(file, self);
        if (inThisJvm != null) {
            throw held(runId, inThisJvm + " (this process)", file);
        }
        try {
            FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null; // held through a channel opened elsewhere in this JVM, not by this class
            }
            if (lock == null) {
                String holder = read(channel);
                channel.close();
                HELD.remove(file);
                throw held(runId, holder.isBlank() ? "another process" : holder, file);
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((self + "\n").getBytes(StandardCharsets.UTF_8)), 0);
            channel.force(false);
            return new RunLock(file, channel, lock);
        } catch (IOException e) {
            HELD.remove(file);
            throw new UncheckedIOException("cannot lock " + file, e);
        }
    }

    private static Held held(String runId, String holder, Path file) {
        return new Held(holder, "run " + runId + " is being trained by " + holder + " (lock " + file
                + "); wait for that process to end, or stop it, then resume");
    }

    /** The run is locked by another process, or another invocation in this one. */
    public static final class Held extends RunRefusedException {
        private final String holder;

        Held(String holder, String message) {
            super(message);
            this.holder = holder;
        }

        /** {@code pid@host} of the holder. */
        public String holder() {
            return holder;
        }
    }

    private static String read(FileChannel channel) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(256);
        channel.read(buf, 0);
        return new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8).strip();
    }

    /** This process as {@code pid@host}. */
    static String self() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "unknown-host";
        }
        return ProcessHandle.current().pid() + "@" + host;
    }

    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unlock " + file, e);
        } finally {
            HELD.remove(file);
        }
    }
}
