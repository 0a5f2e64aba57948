package io.flowbench.train;

import io.flowbench.util.Sha256;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A training checkpoint in one zip file: parameters, graph constants (the 1x1 convs' permutations
 * and signs are drawn at initialisation), optimizer state, Polyak averages, the step count and
 * free-form metadata (train time, the run's resolved configuration...). The last entry holds the
 * SHA-256 of every other entry's content, checked by {@link #open} before anything is used: a file
 * whose bytes changed, even if it still unzips, is refused. Written to a temporary file, forced to
 * disk and moved into place, so a crash mid-write leaves the previous checkpoint intact.
 */
public final class Checkpoint {
    private static final String PARAM = "param/";
    private static final String CONSTANT = "constant/";
    private static final String OPTIMIZER = "optimizer/";
    private static final String AVERAGE = "average/";
    private static final String META = "meta.properties";
    private static final String CHECKSUMS = "checksums.sha256";
    private static final String STEPS_KEY = "flowbench.steps";

    private final Path file;
    private final long steps;
    private final Map<String, String> metadata;

    private Checkpoint(Path file, long steps, Map<String, String> metadata) {
        this.file = file;
        this.steps = steps;
        this.metadata = metadata;
    }

    public static void save(Path file, FlowTrainer trainer, PolyakAverage average, Map<String, String> metadata)
            throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.createDirectories(file.toAbsolutePath().getParent());
        SameDiff sd = trainer.model().graph();
        Map<String, String> checksums = new LinkedHashMap<>();
        try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE);
             ZipOutputStream zip = new ZipOutputStream(new BufferedOutputStream(Channels.newOutputStream(channel)))) {
            Map<String, Map<String, INDArray>> optimizer = trainer.optimizerState();
            for (String name : optimizer.keySet()) {
                put(zip, PARAM + name, sd.getArrForVarName(name), checksums);
                for (Map.Entry<String, INDArray> s : optimizer.get(name).entrySet()) {
                    put(zip, OPTIMIZER + name + "#" + s.getKey(), s.getValue(), checksums);
                }
            }
            for (SDVariable v : sd.variables()) {
                if (v.getVariableType() == VariableType.CONSTANT) {
                    put(zip, CONSTANT + v.name(), v.getArr(), checksums);
                }
            }
            if (average != null) {
                for (Map.Entry<String, INDArray> a : average.averages().entrySet()) {
                    put(zip, AVERAGE + a.getKey(), a.getValue(), checksums);
                }
            }
            Properties meta = new Properties();
            meta.putAll(metadata);
            meta.setProperty(STEPS_KEY, Long.toString(trainer.steps()));
            putEntry(zip, META, checksums, o -> meta.store(o, "flowbench checkpoint"));
            zip.putNextEntry(new ZipEntry(CHECKSUMS));
            StringBuilder lines = new StringBuilder();
            checksums.forEach((entry, sha) -> lines.append(sha).append("  ").append(entry).append('\n'));
            zip.write(lines.toString().getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
            zip.finish();
            zip.flush();
            channel.force(true); // on disk before the move, or a power cut could leave an empty last.zip
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * Opens a checkpoint and checks every entry against its recorded SHA-256. A file that is empty,
     * truncated, not a zip, or whose content does not match is a {@link CorruptCheckpointException}
     * naming it; nothing of it is used before this check passes.
     */
    public static Checkpoint open(Path file) throws IOException {
        if (Files.size(file) == 0) {
            throw new CorruptCheckpointException(file, "the file is empty");
        }
        try (ZipFile zip = new ZipFile(file.toFile())) {
            Map<String, String> recorded = recordedChecksums(zip, file);
            TreeSet<String> present = new TreeSet<>();
            Collections.list(zip.entries()).forEach(e -> present.add(e.getName()));
            present.remove(CHECKSUMS);
            if (!present.equals(new TreeSet<>(recorded.keySet()))) {
                TreeSet<String> extra = new TreeSet<>(present);
                extra.removeAll(recorded.keySet());
                TreeSet<String> missing = new TreeSet<>(recorded.keySet());
                missing.removeAll(present);
                throw new CorruptCheckpointException(file, "entries do not match its checksum list (missing "
                        + missing + ", unlisted " + extra + ")");
            }
            for (Map.Entry<String, String> e : recorded.entrySet()) {
                String actual = sha256(zip, e.getKey(), file);
                if (!actual.equals(e.getValue())) {
                    throw new CorruptCheckpointException(file, e.getKey() + " has SHA-256 " + actual
                            + " where the checkpoint recorded " + e.getValue());
                }
            }
            Properties meta = new Properties();
            try (InputStream in = zip.getInputStream(entry(zip, META, file))) {
                meta.load(in);
            }
            Map<String, String> metadata = new HashMap<>();
            meta.stringPropertyNames().forEach(k -> metadata.put(k, meta.getProperty(k)));
            String steps = metadata.remove(STEPS_KEY);
            if (steps == null || !steps.matches("\\d+")) {
                throw new CorruptCheckpointException(file, "no step count in " + META);
            }
            return new Checkpoint(file, Long.parseLong(steps), Collections.unmodifiableMap(metadata));
        } catch (java.util.zip.ZipException e) {
            throw new CorruptCheckpointException(file, "not a readable zip (truncated?): " + e.getMessage());
        }
    }

    public Path file() {
        return file;
    }

    /** The number of training steps the checkpoint was taken after. */
    public long steps() {
        return steps;
    }

    /** What the trainer's caller stored with it. */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** Restores everything {@link #save} wrote into a trainer of the same model. */
    public void restoreInto(FlowTrainer trainer, PolyakAverage average) throws IOException {
        SameDiff sd = trainer.model().graph();
        Map<String, Map<String, INDArray>> optimizer = new LinkedHashMap<>();
        try (ZipFile zip = new ZipFile(file.toFile())) {
            for (SDVariable v : sd.variables()) {
                if (v.getVariableType() == VariableType.CONSTANT) {
                    assignChecked(v.getArr(), get(zip, CONSTANT + v.name(), file), v.name(), file);
                }
            }
            for (String name : trainer.optimizerState().keySet()) {
                assignChecked(sd.getArrForVarName(name), get(zip, PARAM + name, file), name, file);
                Map<String, INDArray> state = new HashMap<>();
                for (String key : trainer.optimizerState().get(name).keySet()) {
                    state.put(key, get(zip, OPTIMIZER + name + "#" + key, file));
                }
                optimizer.put(name, state);
                if (average != null) {
                    average.averages().get(name).assign(get(zip, AVERAGE + name, file));
                }
            }
        }
        trainer.restore(steps, optimizer);
        trainer.model().markInitialised();
    }

    private static Map<String, String> recordedChecksums(ZipFile zip, Path file) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(zip.getInputStream(
                entry(zip, CHECKSUMS, file)), StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                int sep = line.indexOf("  ");
                if (sep != 64) {
                    throw new CorruptCheckpointException(file, "malformed line in " + CHECKSUMS + ": " + line);
                }
                out.put(line.substring(sep + 2), line.substring(0, sep));
            }
        }
        return out;
    }

    private static String sha256(ZipFile zip, String name, Path file) throws IOException {
        MessageDigest digest = Sha256.newDigest();
        try (InputStream in = new DigestInputStream(zip.getInputStream(entry(zip, name, file)), digest)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        return Sha256.hex(digest.digest());
    }

    private static void assignChecked(INDArray current, INDArray saved, String name, Path file) throws IOException {
        if (!Arrays.equals(saved.shape(), current.shape())) {
            throw new IOException(file + ": " + name + " has shape " + Arrays.toString(saved.shape())
                    + ", the model has " + Arrays.toString(current.shape()) + " (a different architecture?)");
        }
        current.assign(saved);
    }

    private interface EntryWriter {
        void write(OutputStream out) throws IOException;
    }

    /** Writes one entry and records the SHA-256 of its content. */
    private static void putEntry(ZipOutputStream zip, String name, Map<String, String> checksums, EntryWriter writer)
            throws IOException {
        MessageDigest digest = Sha256.newDigest();
        zip.putNextEntry(new ZipEntry(name));
        writer.write(new DigestOutputStream(new NonClosing(zip), digest));
        zip.closeEntry();
        checksums.put(name, Sha256.hex(digest.digest()));
    }

    private static void put(ZipOutputStream zip, String name, INDArray array, Map<String, String> checksums)
            throws IOException {
        putEntry(zip, name, checksums, out -> Nd4j.write(array, new DataOutputStream(out)));
    }

    private static ZipEntry entry(ZipFile zip, String name, Path file) throws IOException {
        ZipEntry e = zip.getEntry(name);
        if (e == null) {
            throw new CorruptCheckpointException(file, "it has no " + name + " (not a flowbench checkpoint of this model?)");
        }
        return e;
    }

    private static INDArray get(ZipFile zip, String name, Path file) throws IOException {
        try (DataInputStream in = new DataInputStream(zip.getInputStream(entry(zip, name, file)))) {
            return Nd4j.read(in);
        }
    }

    /** Nd4j.write flushes but must not close the zip stream it writes into. */
    private static final class NonClosing extends FilterOutputStream {
        NonClosing(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
