package io.flowbench.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code run} and {@code data install} do for a missing dataset: a package-provided one is installed by
 * its command (said on the log), a user-supplied one is an error saying what to fetch, and a failed install
 * says what to do by hand. The package manager is stood in for by a shell command.
 */
class DatasetInstallerTest {
    @TempDir
    Path root;

    /** A one-file dataset {@code <root>/<name>/x.bin}, installed by {@code command} (none: user-supplied). */
    private static DatasetSource source(String name, List<String> command) {
        return new BaseSource(new DatasetSource.StoredShape(1, 2, 2, 0), name, "test dataset", false) {
            @Override
            public FileSet find(Path dir) {
                Path f = dir.resolve("x.bin");
                return Files.isRegularFile(f) ? new FileSet(dir, List.of(f), List.of()) : new FileSet(dir, List.of(), List.of("x.bin"));
            }

            @Override
            public TrainTest load(FileSet files, DataOptions options) {
                throw new UnsupportedOperationException();
            }

            @Override
            public InstallPlan installPlan(DataLocations locations) {
                return new InstallPlan(command, "put x.bin into " + locations.local(name));
            }
        };
    }

    private DatasetInstaller installer(DatasetSource... sources) {
        return new DatasetInstaller(new DatasetRegistry(new DataLocations(root), Set.of(sources)));
    }

    @Test
    void aMissingPackageDatasetIsInstalledSayingWhatRuns() throws Exception {
        Path dir = root.resolve("pkg");
        List<String> command = List.of("sh", "-c", "mkdir -p " + dir + " && echo 1 > " + dir + "/x.bin");
        StringWriter log = new StringWriter();
        DatasetSource.FileSet fs = installer(source("pkg", command)).ensure("pkg", null, new PrintWriter(log));
        assertEquals(dir, fs.dir());
        assertTrue(log.toString().contains("flowbench: installing dataset pkg: " + String.join(" ", command)), log.toString());
        assertTrue(log.toString().contains("flowbench: dataset pkg installed in " + dir), log.toString());

        StringWriter again = new StringWriter();
        installer(source("pkg", List.of("false"))).ensure("pkg", null, new PrintWriter(again));
        assertEquals("", again.toString(), "present: nothing is run or said");
    }

    @Test
    void aUserSuppliedDatasetIsNeverInstalledAndTheErrorSaysWhatToFetch() {
        StringWriter log = new StringWriter();
        DatasetNotFoundException e = assertThrows(DatasetNotFoundException.class,
                () -> installer(source("own", List.of())).ensure("own", null, new PrintWriter(log)));
        assertEquals("dataset own not found in " + root.resolve("own") + ". put x.bin into " + root.resolve("own"), e.getMessage());
        assertEquals("", log.toString());
    }

    @Test
    void aFailedInstallSaysWhatToDoByHand() {
        StringWriter log = new StringWriter();
        DatasetNotFoundException e = assertThrows(DatasetNotFoundException.class,
                () -> installer(source("pkg", List.of("sh", "-c", "exit 3"))).ensure("pkg", null, new PrintWriter(log)));
        assertTrue(e.getMessage().startsWith("could not install dataset pkg: sh -c exit 3 failed (exit 3). By hand: put x.bin"),
                e.getMessage());
        DatasetNotFoundException missing = assertThrows(DatasetNotFoundException.class,
                () -> installer(source("pkg", List.of("no-such-package-manager-here"))).ensure("pkg", null, new PrintWriter(log)));
        assertTrue(missing.getMessage().contains("cannot run no-such-package-manager-here"), missing.getMessage());
    }

    @Test
    void aConfiguredFolderIsNotInstalledInto() throws Exception {
        Path marker = root.resolve("ran");
        List<String> command = new ArrayList<>(List.of("sh", "-c", "touch " + marker));
        Path configured = root.resolve("mine");
        DatasetNotFoundException e = assertThrows(DatasetNotFoundException.class,
                () -> installer(source("pkg", command)).ensure("pkg", configured, new PrintWriter(new StringWriter())));
        assertTrue(e.getMessage().startsWith("dataset pkg not found in " + configured + ". Check data.path"), e.getMessage());
        assertFalse(Files.exists(marker), "nothing installed for a configured folder");
    }
}
