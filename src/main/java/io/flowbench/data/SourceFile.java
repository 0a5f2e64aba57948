package io.flowbench.data;

import io.flowbench.util.Sha256;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;

/**
 * One file a dataset was decoded from: its absolute path, size in bytes and SHA-256 (lower-case hex, the
 * same digest {@code sha256sum} prints and Tribuo records as a resource hash).
 */
public record SourceFile(String path, long bytes, String sha256) {

    /**
     * One SHA-256 over several files: of the lines {@code <sha256>  <file name>\n} that {@code sha256sum}
     * prints for them, in the given order.
     */
    public static String manifestSha256(java.util.List<SourceFile> files) {
        MessageDigest md = Sha256.newDigest();
        for (SourceFile f : files) {
            md.update((f.sha256() + "  " + Path.of(f.path()).getFileName() + "\n")
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        return Sha256.hex(md.digest());
    }

    /** Hashes a whole file (reads it once). */
    public static SourceFile of(Path file) throws IOException {
        try (Reading r = Reading.open(file)) {
            return r.finish();
        }
    }

    /**
     * A file being read once for both its content and its hash: decoders read from {@link #stream()},
     * and {@link #finish()} reads whatever they left (so the hash always covers the whole file) and returns
     * the {@link SourceFile}.
     */
    static final class Reading implements AutoCloseable {
        private final Path file;
        private final MessageDigest digest = Sha256.newDigest();
        private final InputStream raw;
        private final InputStream stream;

        private Reading(Path file) throws IOException {
            this.file = file;
            try {
                this.raw = Files.newInputStream(file);
            } catch (NoSuchFileException e) {
                throw new DataFormatException(file, "file not found", e);
            }
            this.stream = new DigestInputStream(new NoCloseStream(raw), digest);
        }

        static Reading open(Path file) throws IOException {
            return new Reading(file);
        }

        Path file() {
            return file;
        }

        /** The file's bytes; every byte read through it is hashed. */
        InputStream stream() {
            return stream;
        }

        /** Reads to the end of the file (hashing it) and returns the file's record. */
        SourceFile finish() throws IOException {
            stream.transferTo(java.io.OutputStream.nullOutputStream());
            return new SourceFile(file.toAbsolutePath().normalize().toString(), Files.size(file), Sha256.hex(digest.digest()));
        }

        @Override
        public void close() throws IOException {
            raw.close();
        }
    }

    /** Keeps decoders (e.g. a GZIPInputStream closed early) from closing the file before it is hashed. */
    private static final class NoCloseStream extends FilterInputStream {
        NoCloseStream(InputStream in) {
            super(in);
        }

        @Override
        public void close() {
            // the Reading closes the file
        }
    }
}
