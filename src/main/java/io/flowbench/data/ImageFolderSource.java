package io.flowbench.data;

import io.flowbench.util.Sha256;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * A folder of images a user brings (PNG, or anything else ImageIO decodes: JPEG, BMP, GIF), e.g. CelebA-HQ
 * resized. Layout:
 * <ul>
 *   <li>{@code train/} and {@code test/} sub-folders give the splits; otherwise every image under the folder
 *       is assigned to test when the first four bytes of SHA-256(relative path) taken mod 100 fall below
 *       {@code testPercent} (a fixed split that stays put as files are added);</li>
 *   <li>when every image of a split lies in exactly one sub-folder level ({@code <class>/<file>}), the
 *       sorted sub-folder names are the classes; otherwise the data is unlabeled.</li>
 * </ul>
 * Images are decoded to 8-bit RGB (alpha dropped; grey images keep their grey values exactly), resized at
 * decode time when {@code resize} is set (so a folder of large images need not fit in memory), and must all
 * have the same size. Channels: {@code channels} 1 or 3, or 0 for grey when every image is grey.
 */
final class ImageFolderSource extends BaseSource {

    static final String NAME = "image-folder";
    static final List<String> EXTENSIONS = List.of(".png", ".jpg", ".jpeg", ".bmp", ".gif");

    ImageFolderSource() {
        super(null, NAME, "a folder of images (PNG, JPEG, ...), e.g. CelebA-HQ resized; class sub-folders give labels"
                + " (bring your own)", true);
    }

    static boolean isImage(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return Files.isRegularFile(p) && EXTENSIONS.stream().anyMatch(n::endsWith) && !n.startsWith(".");
    }

    @Override
    public FileSet find(Path dir) throws IOException {
        List<Path> files = new ArrayList<>();
        if (Files.isDirectory(dir)) {
            try (Stream<Path> s = Files.walk(dir)) {
                s.filter(ImageFolderSource::isImage).sorted().forEach(files::add);
            }
        }
        return new FileSet(dir, files, files.isEmpty() ? List.of("image files (" + String.join(", ", EXTENSIONS) + ")") : List.of());
    }

    @Override
    public TrainTest load(FileSet files, DataOptions options) throws IOException {
        Path dir = files.dir();
        List<Path> train = new ArrayList<>();
        List<Path> test = new ArrayList<>();
        Path trainDir = dir.resolve("train");
        Path testDir = dir.resolve("test");
        boolean folders = Files.isDirectory(trainDir) && Files.isDirectory(testDir);
        for (Path f : files.files()) {
            if (folders) {
                if (f.startsWith(trainDir)) {
                    train.add(f);
                } else if (f.startsWith(testDir)) {
                    test.add(f);
                }
            } else {
                (inTestSplit(dir.relativize(f), options.testPercent()) ? test : train).add(f);
            }
        }
        requireImages(dir, "train", train, folders, options);
        requireImages(dir, "test", test, folders, options);
        Path trainRoot = folders ? trainDir : dir;
        Path testRoot = folders ? testDir : dir;
        List<String> trainClasses = classes(trainRoot, train);
        List<String> testClasses = classes(testRoot, test);
        TreeSet<String> union = new TreeSet<>(trainClasses);
        union.addAll(testClasses);
        List<String> classes = trainClasses.isEmpty() || testClasses.isEmpty() ? List.of() : List.copyOf(union);
        int[] size = new int[2];
        Decoded[] trainImages = decodeAll(train, size, options.resize());
        Decoded[] testImages = decodeAll(test, size, options.resize());
        boolean grey = Stream.concat(Stream.of(trainImages), Stream.of(testImages)).allMatch(Decoded::grey);
        int channels = options.channels() != 0 ? options.channels() : grey ? 1 : 3;
        return new TrainTest(build("train", trainRoot, train, trainImages, classes, size, channels),
                build("test", testRoot, test, testImages, classes, size, channels));
    }

    private static void requireImages(Path dir, String split, List<Path> images, boolean folders, DataOptions options)
            throws DataFormatException {
        if (images.isEmpty()) {
            throw new DataFormatException(dir, "no images for the " + split + " split; expected " + (folders
                    ? "images under " + dir.resolve(split)
                    : "more images, another testPercent (now " + options.testPercent() + "), or train/ and test/ sub-folders"));
        }
    }

    static boolean inTestSplit(Path relative, int testPercent) {
        byte[] h = Sha256.newDigest().digest(relative.toString().replace('\\', '/').getBytes(StandardCharsets.UTF_8));
        int v = ((h[0] & 0xff) << 24) | ((h[1] & 0xff) << 16) | ((h[2] & 0xff) << 8) | (h[3] & 0xff);
        return Integer.remainderUnsigned(v, 100) < testPercent;
    }

    /** Sorted class folder names when every image is {@code <root>/<class>/<file>}, else empty (unlabeled). */
    private static List<String> classes(Path root, List<Path> images) {
        TreeSet<String> names = new TreeSet<>();
        for (Path f : images) {
            Path rel = root.relativize(f);
            if (rel.getNameCount() != 2) {
                return List.of();
            }
            names.add(rel.getName(0).toString());
        }
        return List.copyOf(names);
    }

    /** One decoded image: 3 planes of 8-bit RGB, and whether it is grey (R = G = B everywhere). */
    private record Decoded(byte[] rgb, int height, int width, boolean grey, SourceFile source) {
    }

    /** Decodes images that must all have one size: {@code size} = {height, width}, set by the first when 0. */
    private static Decoded[] decodeAll(List<Path> files, int[] size, int resize) throws IOException {
        Decoded[] out = new Decoded[files.size()];
        for (int i = 0; i < out.length; i++) {
            Path f = files.get(i);
            Decoded d = decode(f, resize);
            if (size[0] == 0) {
                size[0] = d.height();
                size[1] = d.width();
            } else if (d.height() != size[0] || d.width() != size[1]) {
                throw new DataFormatException(f, "image is " + d.height() + "x" + d.width() + ", expected " + size[0]
                        + "x" + size[1] + " like the first image; set the resize option to give every image one size");
            }
            out[i] = d;
        }
        return out;
    }

    private static ImageDataset build(String split, Path root, List<Path> files, Decoded[] images, List<String> classes,
                                      int[] size, int channels) {
        ImageDataset.Builder b = ImageDataset.builder(NAME, split, 3, size[0], size[1])
                .numClasses(classes.size()).classNames(classes).expectedSize(images.length);
        for (int i = 0; i < images.length; i++) {
            int label = classes.isEmpty() ? -1 : classes.indexOf(root.relativize(files.get(i)).getName(0).toString());
            b.add(images[i].rgb(), 0, label).source(images[i].source());
        }
        return withChannels(b.build(), channels);
    }

    private static Decoded decode(Path file, int resize) throws IOException {
        byte[] bytes;
        SourceFile source;
        try (SourceFile.Reading r = SourceFile.Reading.open(file)) {
            bytes = r.stream().readAllBytes();
            source = r.finish();
        }
        BufferedImage img;
        try {
            img = ImageIO.read(new ByteArrayInputStream(bytes));
        } catch (IOException | RuntimeException e) {
            throw new DataFormatException(file, "corrupt image (" + e.getMessage() + ")", e);
        }
        if (img == null) {
            throw new DataFormatException(file, "not a readable image, expected PNG, JPEG, BMP or GIF");
        }
        int h = img.getHeight();
        int w = img.getWidth();
        int plane = h * w;
        byte[] rgb = new byte[3 * plane];
        boolean grey = true;
        ColorModel cm = img.getColorModel();
        if (!(cm instanceof IndexColorModel) && cm.getColorSpace().getType() == ColorSpace.TYPE_GRAY) {
            // getRGB would pass grey through a colour-space conversion and change the values: read samples.
            Raster raster = img.getRaster();
            double max = (1 << cm.getComponentSize(0)) - 1;
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    byte v = (byte) Math.round(raster.getSample(x, y, 0) * 255 / max);
                    rgb[y * w + x] = v;
                    rgb[plane + y * w + x] = v;
                    rgb[2 * plane + y * w + x] = v;
                }
            }
        } else {
            int[] argb = img.getRGB(0, 0, w, h, null, 0, w);
            for (int i = 0; i < plane; i++) {
                int p = argb[i];
                byte r = (byte) (p >> 16);
                byte g = (byte) (p >> 8);
                byte bl = (byte) p;
                rgb[i] = r;
                rgb[plane + i] = g;
                rgb[2 * plane + i] = bl;
                grey &= r == g && g == bl;
            }
        }
        if (resize > 0 && (h != resize || w != resize)) {
            rgb = Geometry.resize(rgb, 3, h, w, resize);
            h = resize;
            w = resize;
        }
        return new Decoded(rgb, h, w, grey, source);
    }

    /** The split with 1 channel (ITU-R 601 luma of RGB; exact for grey) or 3 (grey repeated). */
    static ImageDataset withChannels(ImageDataset d, int channels) {
        if (d.channels() == channels) {
            return d;
        }
        int plane = d.height() * d.width();
        ImageDataset.Builder b = d.derive(channels, d.height(), d.width(), channels == 1 ? "grey (luma)" : "grey to RGB");
        byte[] src = new byte[d.exampleLength()];
        byte[] dst = new byte[channels * plane];
        for (int i = 0; i < d.size(); i++) {
            d.copyExample(i, src, 0);
            for (int k = 0; k < plane; k++) {
                if (channels == 1) {
                    dst[k] = (byte) Math.round(0.299 * (src[k] & 0xff) + 0.587 * (src[plane + k] & 0xff)
                            + 0.114 * (src[2 * plane + k] & 0xff));
                } else {
                    dst[k] = src[k];
                    dst[plane + k] = src[k];
                    dst[2 * plane + k] = src[k];
                }
            }
            b.add(dst, 0, d.label(i));
        }
        return b.build();
    }

    @Override
    public InstallPlan installPlan(DataLocations locations) {
        Path dir = locations.local(NAME);
        return new InstallPlan(List.of(), "Put your images (PNG, JPEG, ...) under " + dir + "/ (or configure the"
                + " dataset path): all of one size, or set resize; optional train/ and test/ sub-folders, and class"
                + " sub-folders for labels. CelebA-HQ: e.g. the 256x256 PNG release, with resize = 64.");
    }
}
