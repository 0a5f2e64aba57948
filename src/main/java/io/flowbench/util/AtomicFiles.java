package io.flowbench.util;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Crash-safe file writes. Whole files are written to a temporary file in a scratch directory on the same
 * file system, forced to disk and renamed over the target, so a reader (or a process killed mid-write) sees
 * the old or the new content, never a torn one. The scratch directory is the target's own unless the caller
 * needs temporaries kept out of a directory others list (the MLflow store's params and tags). Lines are
 * appended with one write call per batch, so a kill loses at most what was not yet written and a reader never
 * sees half a line except after an OS crash (readers skip an unterminated last line).
 */
public final class AtomicFiles {
    /** Name prefix of the temporaries, so that stale ones (a process killed mid-write) can be found. */
    public static final String TEMP_PREFIX = ".flowbench-tmp-";

    private AtomicFiles() {
    }

    /** Replaces {@code target} with {@code content} (UTF-8), the temporary beside it. */
    public static void writeString(Path target, String content) {
        writeString(target, content, target.toAbsolutePath().getParent());
    }

    public static void writeString(Path target, String content, Path scratch) {
        write(target, content.getBytes(StandardCharsets.UTF_8), scratch);
    }

    public static void write(Path target, byte[] content, Path scratch) {
        try {
            Path tmp = temp(scratch);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer buf = ByteBuffer.wrap(content);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            moveInto(tmp, target);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target, e);
        }
    }

    /** Copies a file to the target through a temporary file, so the target appears whole or not at all. */
    public static void copy(Path source, Path target, Path scratch) {
        try {
            Path tmp = temp(scratch);
            Files.copy(source, tmp, StandardCopyOption.COPY_ATTRIBUTES);
            moveInto(tmp, target);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy " + source + " to " + target, e);
        }
    }

    public static void append(Path target, String lines) {
        try {
            Files.createDirectories(target.getParent());
            try (FileChannel ch = FileChannel.open(target, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND)) {
                ByteBuffer buf = ByteBuffer.wrap(lines.getBytes(StandardCharsets.UTF_8));
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to " + target, e);
        }
    }

    /** Deletes a directory and everything in it (a no-op when it does not exist). */
    public static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    private static Path temp(Path scratch) throws IOException {
        Files.createDirectories(scratch);
        return scratch.resolve(TEMP_PREFIX + UUID.randomUUID());
    }

    private static void moveInto(Path tmp, Path target) throws IOException {
        try {
            Files.createDirectories(target.toAbsolutePath().getParent());
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
