package io.flowbench.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Fashion-MNIST (Zalando): 60,000 train and 10,000 test grey 28x28 images of 10 clothing classes, as
 * the original gzipped IDX files. Debian's {@code dataset-fashion-mnist} package installs them under
 * {@value #PACKAGE_DIR}; {@code data/fashion-mnist/} (gzipped or not) takes precedence.
 */
final class FashionMnistSource extends BaseSource {

    static final String NAME = "fashion-mnist";
    static final String PACKAGE = "dataset-fashion-mnist";
    static final String PACKAGE_DIR = "/usr/share/datasets/fashion-mnist";
    static final String TRAIN_IMAGES = "train-images-idx3-ubyte";
    static final String TRAIN_LABELS = "train-labels-idx1-ubyte";
    static final String TEST_IMAGES = "t10k-images-idx3-ubyte";
    static final String TEST_LABELS = "t10k-labels-idx1-ubyte";
    static final List<String> CLASSES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    FashionMnistSource() {
        super(new StoredShape(1, 28, 28, 10), NAME, "Fashion-MNIST, 60,000 train / 10,000 test, 1x28x28, 10 classes (IDX, Debian package " + PACKAGE + ")",
                false);
    }

    @Override
    public List<Path> searchPaths(DataLocations locations) {
        return List.of(locations.local(NAME), Path.of(PACKAGE_DIR));
    }

    @Override
    public FileSet find(Path dir) {
        List<Path> files = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (String base : List.of(TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS)) {
            Path gz = dir.resolve(base + ".gz");
            Path plain = dir.resolve(base);
            if (Files.isRegularFile(gz)) {
                files.add(gz);
            } else if (Files.isRegularFile(plain)) {
                files.add(plain);
            } else {
                missing.add(base + ".gz");
            }
        }
        return new FileSet(dir, files, missing);
    }

    @Override
    public TrainTest load(FileSet files, DataOptions options) throws IOException {
        List<Path> f = files.files();
        return new TrainTest(
                IdxReader.readSplit(NAME, "train", f.get(0), f.get(1), CLASSES, 28, 28),
                IdxReader.readSplit(NAME, "test", f.get(2), f.get(3), CLASSES, 28, 28));
    }

    @Override
    public InstallPlan installPlan(DataLocations locations) {
        return new InstallPlan(List.of("apt-get", "install", "-y", PACKAGE),
                "Debian/Ubuntu: apt-get install " + PACKAGE + " (installs the four .gz files under " + PACKAGE_DIR
                        + "). Elsewhere: download " + TRAIN_IMAGES + ".gz, " + TRAIN_LABELS + ".gz, " + TEST_IMAGES
                        + ".gz and " + TEST_LABELS + ".gz from https://github.com/zalandoresearch/fashion-mnist"
                        + " (folder data/fashion) into " + locations.local(NAME) + "/");
    }
}
