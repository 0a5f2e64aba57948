package io.flowbench.tracking;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

/**
 * Crash-safe file writes for the local store. Whole files (meta.yaml, params, tags, artifacts) are written
 * to a temporary file in a scratch directory on the same file system, forced to disk and renamed over the
 * target, so a reader (or a process killed mid-write) sees the old or the new content, never a torn one.
 * Metric lines are appended with one write call per batch, so a kill loses at most what was not yet written
 * and a reader never sees half a line except after an OS crash (readers skip an unterminated last line).
 */
final class AtomicFiles {

    private AtomicFiles() {
    }

    static void writeString(Path target, String content, Path scratch) {
        write(target, content.getBytes(StandardCharsets.UTF_8), scratch);
    }

    static void write(Path target, byte[] content, Path scratch) {
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
    static void copy(Path source, Path target, Path scratch) {
        try {
            Path tmp = temp(scratch);
            Files.copy(source, tmp, StandardCopyOption.COPY_ATTRIBUTES);
            moveInto(tmp, target);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy " + source + " to " + target, e);
        }
    }

    static void append(Path target, String lines) {
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

    private static Path temp(Path scratch) throws IOException {
        Files.createDirectories(scratch);
        return scratch.resolve(".flowbench-tmp-" + UUID.randomUUID());
    }

    private static void moveInto(Path tmp, Path target) throws IOException {
        try {
            Files.createDirectories(target.getParent());
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
