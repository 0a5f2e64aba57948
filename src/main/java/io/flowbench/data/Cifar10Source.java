package io.flowbench.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * CIFAR-10, binary version: {@code data_batch_1.bin} .. {@code data_batch_5.bin} (train, 50,000) and
 * {@code test_batch.bin} (10,000). Each record is 3073 bytes: the label (0..9), then 1024 red, 1024 green
 * and 1024 blue bytes, each a 32x32 image in row-major order (so NCHW already).
 */
final class Cifar10Source extends BaseSource {

    static final String NAME = "cifar10";
    static final int SIDE = 32;
    static final int RECORD = 1 + 3 * SIDE * SIDE;
    static final String SUBDIR = "cifar-10-batches-bin";
    static final String META = "batches.meta.txt";
    static final List<String> TRAIN_FILES = List.of("data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin",
            "data_batch_4.bin", "data_batch_5.bin");
    static final String TEST_FILE = "test_batch.bin";
    static final List<String> CLASSES = List.of("airplane", "automobile", "bird", "cat", "deer", "dog", "frog",
            "horse", "ship", "truck");

    Cifar10Source() {
        super(new StoredShape(3, 32, 32, 10), NAME, "CIFAR-10 binary batches, 50,000 train / 10,000 test, 3x32x32, 10 classes (bring your own files)", true);
    }

    @Override
    public FileSet find(Path dir) {
        Path base = Files.isDirectory(dir.resolve(SUBDIR)) ? dir.resolve(SUBDIR) : dir;
        List<Path> files = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        List<String> names = new ArrayList<>(TRAIN_FILES);
        names.add(TEST_FILE);
        for (String name : names) {
            Path f = base.resolve(name);
            if (Files.isRegularFile(f)) {
                files.add(f);
            } else {
                missing.add(dir.relativize(f).toString());
            }
        }
        if (Files.isRegularFile(base.resolve(META))) {
            files.add(base.resolve(META));
        }
        return new FileSet(dir, files, missing);
    }

    @Override
    public TrainTest load(FileSet files, DataOptions options) throws IOException {
        List<String> classes = CLASSES;
        SourceFile meta = null;
        if (files.files().size() > TRAIN_FILES.size() + 1) {
            Path metaFile = files.files().get(TRAIN_FILES.size() + 1);
            List<String> names = Files.readAllLines(metaFile, StandardCharsets.UTF_8).stream()
                    .map(String::strip).filter(s -> !s.isEmpty()).toList();
            if (names.size() != CLASSES.size()) {
                throw new DataFormatException(metaFile, names.size() + " class names, expected " + CLASSES.size());
            }
            classes = names;
            meta = SourceFile.of(metaFile);
        }
        ImageDataset.Builder train = ImageDataset.builder(NAME, "train", 3, SIDE, SIDE).numClasses(10).classNames(classes);
        for (Path f : files.files().subList(0, TRAIN_FILES.size())) {
            train.source(readBatch(f, train));
        }
        ImageDataset.Builder test = ImageDataset.builder(NAME, "test", 3, SIDE, SIDE).numClasses(10).classNames(classes);
        test.source(readBatch(files.files().get(TRAIN_FILES.size()), test));
        if (meta != null) {
            train.source(meta);
            test.source(meta);
        }
        return new TrainTest(train.build(), test.build());
    }

    /** Appends every record of one batch file to {@code into}; returns the file's record. */
    static SourceFile readBatch(Path file, ImageDataset.Builder into) throws IOException {
        try (SourceFile.Reading r = SourceFile.Reading.open(file)) {
            byte[] bytes = r.stream().readAllBytes();
            if (bytes.length == 0 || bytes.length % RECORD != 0) {
                throw new DataFormatException(file, bytes.length + " bytes, expected a positive multiple of " + RECORD
                        + " (records of 1 label byte + 3x32x32 pixel bytes); truncated?");
            }
            into.expectedSize(into.size() + bytes.length / RECORD);
            for (int off = 0; off < bytes.length; off += RECORD) {
                int label = bytes[off] & 0xff;
                if (label >= CLASSES.size()) {
                    throw new DataFormatException(file, "record " + off / RECORD + " has label " + label + ", expected 0..9");
                }
                into.add(bytes, off + 1, label);
            }
            return r.finish();
        }
    }

    @Override
    public InstallPlan installPlan(DataLocations locations) {
        Path dir = locations.local(NAME);
        return new InstallPlan(List.of(), "No package manager here provides CIFAR-10. Download the binary version"
                + " https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz (162 MB; the site publishes its MD5,"
                + " c32a1d4ab5d03f1284b67883e8d87530) and unpack it: mkdir -p " + dir + " && tar -xzf"
                + " cifar-10-binary.tar.gz -C " + dir + "  (gives " + dir + "/" + SUBDIR
                + "/data_batch_1.bin .. data_batch_5.bin, test_batch.bin)");
    }
}
