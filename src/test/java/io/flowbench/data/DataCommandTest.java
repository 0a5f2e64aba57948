package io.flowbench.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowbench.cli.FlowbenchCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code flowbench data list|install|check} on small generated datasets. */
class DataCommandTest {

    @TempDir
    Path root;

    private record Run(int exitCode, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] command = new String[args.length + 1];
        command[0] = "data";
        System.arraycopy(args, 0, command, 1, args.length);
        int rc = FlowbenchCli.run(new PrintWriter(out), new PrintWriter(err), command);
        return new Run(rc, out.toString(), err.toString());
    }

    private List<Path> writeCifar() throws Exception {
        Path dir = Files.createDirectories(root.resolve("cifar10"));
        List<Path> files = new ArrayList<>();
        for (String name : List.of("data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin",
                "data_batch_5.bin", "test_batch.bin")) {
            files.add(Files.write(dir.resolve(name), TestData.cifarRecords(TestData.randomBytes(2 * 3072, name.length()), new int[] {3, 5})));
        }
        return files;
    }

    @Test
    void listShowsWhereEachDatasetIsLookedForAndHashesWhatIsPresent() throws Exception {
        List<Path> files = writeCifar();
        Run r = run("list", "--data-dir", root.toString());
        assertEquals(0, r.exitCode(), r.err());
        List<SourceFile> hashed = new ArrayList<>();
        for (Path f : files) {
            hashed.add(SourceFile.of(f));
        }
        String cifar = r.out().substring(r.out().indexOf("\ncifar10  ["), r.out().indexOf("\nimagenet32"));
        assertTrue(cifar.contains("cifar10  [present]"), cifar);
        assertTrue(cifar.contains("looked in  " + root.resolve("cifar10") + "  (found)"), cifar);
        assertTrue(cifar.contains("size       6 files, 36.0 KiB"), cifar);
        assertTrue(cifar.contains("sha256     " + SourceFile.manifestSha256(hashed)), cifar);
        assertTrue(cifar.contains(hashed.get(5).sha256() + "  test_batch.bin"), cifar);
        assertTrue(r.out().contains("imagenet64  [missing]"), r.out());
        assertTrue(r.out().contains("looked in  " + root.resolve("imagenet64") + "  (no such folder)"));
        assertTrue(r.out().contains("looked in  /usr/share/datasets/fashion-mnist"), "the package location is listed");
        assertTrue(r.out().contains("install    bin/flowbench data install mnist") || r.out().contains("mnist  [present]"));

        Run configured = run("list", "--data-dir", root.toString(), "--path", "cifar10=" + root.resolve("other"), "--no-hash");
        assertTrue(configured.out().contains("cifar10  [missing]"), configured.out());
        assertTrue(configured.out().contains("configured " + root.resolve("other") + "  (no such folder)"), configured.out());
    }

    @Test
    void installSaysWhatToFetchWhenNoPackageManagerHasIt() throws Exception {
        Run r = run("install", "cifar10", "--data-dir", root.toString());
        assertEquals(1, r.exitCode());
        assertTrue(r.out().contains("https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz"), r.out());
        assertTrue(r.out().contains("tar -xzf cifar-10-binary.tar.gz -C " + root.resolve("cifar10")), r.out());

        writeCifar();
        Run again = run("install", "cifar10", "--data-dir", root.toString());
        assertEquals(0, again.exitCode());
        assertTrue(again.out().contains("cifar10 is already present in " + root.resolve("cifar10")), again.out());

        Run unknown = run("install", "svhn", "--data-dir", root.toString());
        assertEquals(2, unknown.exitCode());
        assertTrue(unknown.err().startsWith("flowbench data install: unknown dataset 'svhn'"), unknown.err());
    }

    @Test
    void checkLoadsAndPrintsHashesOrTheError() throws Exception {
        writeCifar();
        // Resized to 8x8: the likelihood reference check prints is a D x D eigen-decomposition (D = 3x32x32 takes minutes).
        Run r = run("check", "cifar10", "--data-dir", root.toString(), "--validation", "2", "--levels", "3", "--resize", "8", "--json");
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("cifar10 loaded in"), r.out());
        assertTrue(r.out().contains("horizontal flips for training: true"), r.out());
        assertTrue(r.out().matches("(?s).*train\\s+8 x 3x8x8  10 classes  content sha256 [0-9a-f]{64}.*"), r.out());
        assertTrue(r.out().contains("\"split\": \"validation\""), r.out());

        Run missing = run("check", "imagenet32", "--data-dir", root.toString());
        assertEquals(2, missing.exitCode());
        assertTrue(missing.err().startsWith("flowbench data check: dataset imagenet32 not found in "
                + root.resolve("imagenet32") + "."), missing.err());

        Run badPad = run("check", "cifar10", "--data-dir", root.toString(), "--pad", "mirror");
        assertEquals(2, badPad.exitCode());
        assertTrue(badPad.err().contains("pad must be none or zero"), badPad.err());
    }
}
