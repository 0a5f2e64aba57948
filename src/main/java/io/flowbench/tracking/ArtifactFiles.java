package io.flowbench.tracking;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Where MLflow's log_artifact/log_artifacts put files, for both stores. */
final class ArtifactFiles {

    private ArtifactFiles() {
    }

    /**
     * Artifact path (relative to the run's artifact root) to local file: a file lands at
     * {@code artifactPath/<file name>}, a directory's files keep their relative paths under {@code artifactPath}.
     */
    static Map<String, Path> plan(Path fileOrDirectory, String artifactPath) {
        String dir = relative(artifactPath);
        Map<String, Path> out = new TreeMap<>();
        if (Files.isDirectory(fileOrDirectory)) {
            try (Stream<Path> files = Files.walk(fileOrDirectory)) {
                files.filter(Files::isRegularFile).forEach(f -> out.put(
                        join(dir, fileOrDirectory.relativize(f).toString().replace('\\', '/')), f));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + fileOrDirectory, e);
            }
        } else if (Files.isRegularFile(fileOrDirectory)) {
            out.put(join(dir, fileOrDirectory.getFileName().toString()), fileOrDirectory);
        } else {
            throw new TrackingException("artifact " + fileOrDirectory + " does not exist");
        }
        return out;
    }

    /** Checks an artifact path: relative, '/'-separated, no '.' or '..'. "" or null is the artifact root. */
    static String relative(String artifactPath) {
        if (artifactPath == null || artifactPath.isEmpty()) {
            return "";
        }
        String p = artifactPath.replace('\\', '/').replaceAll("/+$", "");
        if (p.startsWith("/") || p.contains("//") || Stream.of(p.split("/")).anyMatch(s -> s.equals("..") || s.equals("."))) {
            throw new IllegalArgumentException("artifact path must be relative, without '.' or '..': " + artifactPath);
        }
        return p;
    }

    private static String join(String dir, String name) {
        return dir.isEmpty() ? name : dir + "/" + name;
    }
}
