package io.flowbench.train;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
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
 * free-form metadata (seed, data-iterator position, resolved config...). Written to a
 * temporary file and moved into place, so a crash mid-write leaves the previous checkpoint intact.
 */
public final class Checkpoint {
    private static final String PARAM = "param/";
    private static final String CONSTANT = "constant/";
    private static final String OPTIMIZER = "optimizer/";
    private static final String AVERAGE = "average/";
    private static final String META = "meta.properties";
    private static final String STEPS_KEY = "flowbench.steps";

    private Checkpoint() {
    }

    public static void save(Path file, FlowTrainer trainer, PolyakAverage average, Map<String, String> metadata)
            throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.createDirectories(file.toAbsolutePath().getParent());
        SameDiff sd = trainer.model().graph();
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(tmp))) {
            Map<String, Map<String, INDArray>> optimizer = trainer.optimizerState();
            for (String name : optimizer.keySet()) {
                put(zip, PARAM + name, sd.getArrForVarName(name));
                for (Map.Entry<String, INDArray> s : optimizer.get(name).entrySet()) {
                    put(zip, OPTIMIZER + name + "#" + s.getKey(), s.getValue());
                }
            }
            for (SDVariable v : sd.variables()) {
                if (v.getVariableType() == VariableType.CONSTANT) {
                    put(zip, CONSTANT + v.name(), v.getArr());
                }
            }
            if (average != null) {
                for (Map.Entry<String, INDArray> a : average.averages().entrySet()) {
                    put(zip, AVERAGE + a.getKey(), a.getValue());
                }
            }
            Properties meta = new Properties();
            meta.putAll(metadata);
            meta.setProperty(STEPS_KEY, Long.toString(trainer.steps()));
            zip.putNextEntry(new ZipEntry(META));
            meta.store(zip, "flowbench checkpoint");
            zip.closeEntry();
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Restores everything {@link #save} wrote into a trainer of the same model; returns the metadata. */
    public static Map<String, String> restore(Path file, FlowTrainer trainer, PolyakAverage average) throws IOException {
        SameDiff sd = trainer.model().graph();
        Map<String, Map<String, INDArray>> optimizer = new LinkedHashMap<>();
        Map<String, String> metadata = new HashMap<>();
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
            Properties meta = new Properties();
            try (InputStream in = zip.getInputStream(entry(zip, META, file))) {
                meta.load(in);
            }
            meta.stringPropertyNames().forEach(k -> metadata.put(k, meta.getProperty(k)));
        }
        trainer.restore(Long.parseLong(metadata.remove(STEPS_KEY)), optimizer);
        trainer.model().markInitialised();
        return metadata;
    }

    private static void assignChecked(INDArray current, INDArray saved, String name, Path file) throws IOException {
        if (!java.util.Arrays.equals(saved.shape(), current.shape())) {
            throw new IOException(file + ": " + name + " has shape " + java.util.Arrays.toString(saved.shape())
                    + ", the model has " + java.util.Arrays.toString(current.shape()) + " (a different architecture?)");
        }
        current.assign(saved);
    }

    private static void put(ZipOutputStream zip, String name, INDArray array) throws IOException {
        zip.putNextEntry(new ZipEntry(name));
        Nd4j.write(array, new DataOutputStream(new NonClosing(zip)));
        zip.closeEntry();
    }

    private static ZipEntry entry(ZipFile zip, String name, Path file) throws IOException {
        ZipEntry e = zip.getEntry(name);
        if (e == null) {
            throw new IOException(file + ": checkpoint has no " + name + " (not a flowbench checkpoint of this model?)");
        }
        return e;
    }

    private static INDArray get(ZipFile zip, String name, Path file) throws IOException {
        try (DataInputStream in = new DataInputStream(zip.getInputStream(entry(zip, name, file)))) {
            return Nd4j.read(in);
        }
    }

    /** Nd4j.write flushes but must not close the zip stream it writes into. */
    private static final class NonClosing extends java.io.FilterOutputStream {
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
