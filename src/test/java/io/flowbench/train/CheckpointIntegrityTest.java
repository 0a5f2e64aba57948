package io.flowbench.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowbench.flow.LatentShape;
import io.flowbench.model.FlowModel;
import io.flowbench.model.ModelSpec;
import io.flowbench.model.StepSpec;
import io.flowbench.verify.ModelVerifier;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.AdaMax;

/**
 * A checkpoint is used only when its content is what was written: changed bytes that still unzip, a
 * truncated, empty or foreign file are refused naming the file, and a write that fails leaves the
 * previous checkpoint whole.
 */
class CheckpointIntegrityTest {
    private static final ModelSpec SPEC = new ModelSpec(new LatentShape(1, 4, 4), 2, 1, 8, 8, 0, true, false,
            new StepSpec.Glow(false));

    @TempDir
    Path dir;
    private FlowTrainer trainer;
    private Path file;

    @BeforeEach
    void saveOne() throws IOException {
        FlowModel model = FlowModel.build(SPEC, DataType.FLOAT, 1);
        trainer = new FlowTrainer(model, new AdaMax(1e-3));
        trainer.step(ModelVerifier.randomInput(model, 4, 1), null);
        file = dir.resolve("last.zip");
        Checkpoint.save(file, trainer, null, Map.of("note", "first"));
    }

    private CorruptCheckpointException refused() {
        CorruptCheckpointException e = assertThrows(CorruptCheckpointException.class, () -> Checkpoint.open(file));
        assertTrue(e.getMessage().contains(file.toString()), "names the file: " + e.getMessage());
        return e;
    }

    /** Rewrites the checkpoint as a valid zip, each entry's content passed through {@code edit}. */
    private void rezip(Predicate<String> keep, UnaryOperator<byte[]> edit, String editedEntry) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(file)); ZipOutputStream zip = new ZipOutputStream(out)) {
            for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                byte[] content = in.readAllBytes();
                if (keep.test(e.getName())) {
                    zip.putNextEntry(new ZipEntry(e.getName()));
                    zip.write(e.getName().equals(editedEntry) ? edit.apply(content) : content);
                    zip.closeEntry();
                }
            }
        }
        Files.write(file, out.toByteArray());
    }

    private String aParameterEntry() throws IOException {
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(file))) {
            for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                if (e.getName().startsWith("param/")) {
                    return e.getName();
                }
            }
        }
        throw new AssertionError("no parameter in the checkpoint");
    }

    @Test
    void anIntactCheckpointOpensWithItsStepAndMetadata() throws IOException {
        Checkpoint c = Checkpoint.open(file);
        assertEquals(1, c.steps());
        assertEquals(Map.of("note", "first"), c.metadata());
    }

    @Test
    void changedBytesThatStillUnzipAreRefused() throws IOException {
        String entry = aParameterEntry();
        rezip(name -> true, content -> {
            byte[] changed = Arrays.copyOf(content, content.length);
            changed[changed.length - 1] ^= 0x01; // the last float's lowest bit: still a valid array
            return changed;
        }, entry);
        assertTrue(refused().getMessage().contains(entry), "names the changed entry");
    }

    @Test
    void truncatedEmptyAndForeignFilesAreRefused() throws IOException {
        byte[] whole = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(whole, whole.length / 2));
        refused();
        Files.write(file, new byte[0]);
        assertTrue(refused().getMessage().contains("empty"));
        Files.writeString(file, "not a checkpoint");
        refused();
    }

    @Test
    void entriesMissingFromOrUnlistedInTheChecksumsAreRefused() throws IOException {
        byte[] whole = Files.readAllBytes(file);
        String entry = aParameterEntry();
        rezip(name -> !name.equals(entry), c -> c, null);
        assertTrue(refused().getMessage().contains(entry));
        Files.write(file, whole);
        rezip(name -> !name.equals("checksums.sha256"), c -> c, null);
        assertTrue(refused().getMessage().contains("checksums.sha256"));
    }

    @Test
    void aWriteThatFailsLeavesThePreviousCheckpointWhole() throws IOException {
        byte[] before = Files.readAllBytes(file);
        trainer.step(ModelVerifier.randomInput(trainer.model(), 4, 2), null);
        // The temporary file cannot be written (a directory stands in its place): the save fails midway.
        Files.createDirectory(file.resolveSibling("last.zip.tmp"));
        assertThrows(IOException.class, () -> Checkpoint.save(file, trainer, null, Map.of("note", "second")));
        assertTrue(Arrays.equals(before, Files.readAllBytes(file)));
        assertEquals(1, Checkpoint.open(file).steps());
    }
}
