package io.flowbench.data;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;

/**
 * Downsampled ImageNet (Chrabaszcz, Loshchilov and Hutter 2017, from image-net.org), 32x32 or 64x64, as
 * {@code .npz} files: {@code train_data_batch_1.npz} .. {@code train_data_batch_10.npz} (1,281,167 images)
 * and {@code val_data.npz} (50,000, used as the test split). Each holds {@code data}, uint8 of shape
 * [N, 3*S*S] with the red, green and blue planes in turn (row-major, so NCHW already), and {@code labels},
 * N integers 1..1000 (stored here as 0..999). Other arrays ({@code mean}) are ignored.
 */
final class DownsampledImageNetSource extends BaseSource {

    static final int BATCHES = 10;
    static final String VAL_FILE = "val_data.npz";
    static final int CLASSES = 1000;

    private final int side;

    DownsampledImageNetSource(int side) {
        super(new StoredShape(3, side, side, 1000), "imagenet" + side, "Downsampled ImageNet " + side + "x" + side + " (.npz, image-net.org), 1,281,167 train"
                + " / 50,000 val as test, 3x" + side + "x" + side + ", 1000 classes (bring your own files)", true);
        this.side = side;
    }

    static List<String> fileNames() {
        List<String> names = new ArrayList<>();
        for (int i = 1; i <= BATCHES; i++) {
            names.add("train_data_batch_" + i + ".npz");
        }
        names.add(VAL_FILE);
        return names;
    }

    /** Looks in {@code dir} and its immediate sub-folders (the archives unpack into e.g. Imagenet32_train_npz/). */
    @Override
    public FileSet find(Path dir) throws IOException {
        List<Path> folders = new ArrayList<>();
        folders.add(dir);
        if (Files.isDirectory(dir)) {
            try (Stream<Path> s = Files.list(dir)) {
                s.filter(Files::isDirectory).sorted().forEach(folders::add);
            }
        }
        List<Path> files = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (String name : fileNames()) {
            folders.stream().map(f -> f.resolve(name)).filter(Files::isRegularFile).findFirst()
                    .ifPresentOrElse(files::add, () -> missing.add(name));
        }
        return new FileSet(dir, files, missing);
    }

    @Override
    public TrainTest load(FileSet files, DataOptions options) throws IOException {
        ImageDataset.Builder train = ImageDataset.builder(name(), "train", 3, side, side).numClasses(CLASSES);
        for (Path f : files.files().subList(0, BATCHES)) {
            train.source(readNpz(f, train));
        }
        ImageDataset.Builder test = ImageDataset.builder(name(), "test", 3, side, side).numClasses(CLASSES);
        test.source(readNpz(files.files().get(BATCHES), test));
        return new TrainTest(train.build(), test.build());
    }

    /** Appends the images of one .npz file to {@code into}; returns the file's record. */
    SourceFile readNpz(Path file, ImageDataset.Builder into) throws IOException {
        Map<String, NpyArray> arrays = new LinkedHashMap<>();
        List<String> names = new ArrayList<>();
        try (SourceFile.Reading r = SourceFile.Reading.open(file)) {
            try {
                ZipInputStream zip = new ZipInputStream(new BufferedInputStream(r.stream(), 1 << 16));
                for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
                    String key = e.getName().endsWith(".npy") ? e.getName().substring(0, e.getName().length() - 4) : e.getName();
                    names.add(key);
                    if (key.equals("data") || key.equals("labels")) {
                        arrays.put(key, NpyArray.read(file, key, zip));
                    }
                }
            } catch (ZipException e) {
                throw new DataFormatException(file, "not a readable .npz (zip) archive: " + e.getMessage(), e);
            }
            if (names.isEmpty()) {
                throw new DataFormatException(file, "not an .npz archive (no zip entries); expected arrays 'data' and 'labels'");
            }
            NpyArray data = arrays.get("data");
            NpyArray labels = arrays.get("labels");
            if (data == null || labels == null) {
                throw new DataFormatException(file, "expected arrays 'data' and 'labels', found " + names);
            }
            int pixels = 3 * side * side;
            if (!data.isUnsignedBytes() || data.fortranOrder() || data.shape().length != 2 || data.shape()[1] != pixels) {
                throw new DataFormatException(file, "'data' is " + data.descr() + (data.fortranOrder() ? " (Fortran order)" : "")
                        + " of shape " + Arrays.toString(data.shape()) + ", expected uint8 (|u1), C order, shape [N, "
                        + pixels + "] for " + side + "x" + side + " RGB images");
            }
            int n = (int) data.shape()[0];
            if (labels.shape().length != 1 || labels.shape()[0] != n) {
                throw new DataFormatException(file, "'labels' has shape " + Arrays.toString(labels.shape())
                        + ", expected [" + n + "] (one per image)");
            }
            int[] l = labels.toInts(file);
            for (int i = 0; i < n; i++) {
                if (l[i] < 1 || l[i] > CLASSES) {
                    throw new DataFormatException(file, "label " + l[i] + " at index " + i + ", expected 1.." + CLASSES
                            + " (downsampled ImageNet numbers classes from 1)");
                }
                l[i]--;
            }
            into.expectedSize(into.size() + n);
            into.addAll(data.data(), n, l);
            return r.finish();
        }
    }

    @Override
    public InstallPlan installPlan(DataLocations locations) {
        Path dir = locations.local(name());
        String s = Integer.toString(side);
        return new InstallPlan(List.of(), "No package manager provides downsampled ImageNet. Log in at"
                + " https://image-net.org/download-images.php, download the train archive"
                + (side == 64 ? "s Imagenet64_train_part1_npz.zip and Imagenet64_train_part2_npz.zip" : " Imagenet32_train_npz.zip")
                + " and Imagenet" + s + "_val_npz.zip (\"Downsampled ImageNet " + s + "x" + s + "\", npz format) and unzip them all into "
                + dir + "/ (or a sub-folder of it), giving train_data_batch_1.npz .. train_data_batch_10.npz and "
                + VAL_FILE + ". (Glow's ImageNet " + s + " numbers come from the van den Oord et al. release,"
                + " a different downsampling.)");
    }
}
