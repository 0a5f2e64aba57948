package io.flowbench.data;

import com.google.inject.Guice;
import com.google.inject.Inject;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Resolves a dataset name and {@link DataOptions} into {@link DatasetSplits}: finds the files (the configured
 * path, else {@code data/<name>}, else the package locations), decodes them, carves validation and subsets
 * with the seed, and fits the image size to the model's levels.
 *
 * <p>Order of steps: decode; validation = {@code validation} examples of train (seeded random choice, or
 * the last ones when {@code shuffle} is off); train = the rest, cut to {@code subset}; test cut to
 * {@code testSubset}; then resize/pad every split. Chosen examples keep their file order, so a split's
 * content hash depends only on which examples it holds.
 */
public final class DatasetRegistry {

    /** Random streams of the seed used here (batch shuffling uses the epochs 0, 1, ...). */
    static final long VALIDATION_STREAM = -1;
    static final long TEST_STREAM = -2;

    private final DataLocations locations;
    private final Map<String, DatasetSource> sources = new LinkedHashMap<>();

    @Inject
    public DatasetRegistry(DataLocations locations, Set<DatasetSource> bound) {
        this.locations = locations;
        bound.forEach(s -> sources.put(s.name(), s)); // Multibinder keeps DataModule's order
    }

    /** The registry of every bound source (see {@link DataModule}) over the given locations. */
    public static DatasetRegistry at(DataLocations locations) {
        return Guice.createInjector(new DataModule(locations)).getInstance(DatasetRegistry.class);
    }

    /** The registry over {@link DataLocations#fromEnvironment()}. */
    public static DatasetRegistry standard() {
        return at(DataLocations.fromEnvironment());
    }

    public DataLocations locations() {
        return locations;
    }

    /** The names configs may use. */
    public List<String> names() {
        return List.copyOf(sources.keySet());
    }

    public DatasetSource source(String name) {
        DatasetSource s = sources.get(name);
        if (s == null) {
            throw new IllegalArgumentException("unknown dataset '" + name + "'; known: " + String.join(", ", names()));
        }
        return s;
    }

    /** The folders searched for a dataset: the configured one alone when given. */
    public List<Path> searchPaths(String name, Path configured) {
        return configured != null ? List.of(configured) : source(name).searchPaths(locations);
    }

    /** Every searched folder with what was found there, in search order. */
    public List<DatasetSource.FileSet> search(String name, Path configured) throws IOException {
        List<DatasetSource.FileSet> out = new ArrayList<>();
        for (Path dir : searchPaths(name, configured)) {
            out.add(source(name).find(dir));
        }
        return out;
    }

    /**
     * The copy a run uses: the first complete folder searched; empty when no folder holds any of its files.
     * A folder holding only some of them is an error naming the missing ones, never skipped for a later
     * folder, which would train silently on other data than the user put there.
     */
    public Optional<DatasetSource.FileSet> find(String name, Path configured) throws IOException {
        for (DatasetSource.FileSet fs : search(name, configured)) {
            if (fs.complete()) {
                return Optional.of(fs);
            }
            if (!fs.files().isEmpty()) {
                throw new DatasetNotFoundException(fs.dir().toAbsolutePath().normalize() + " holds only part of dataset "
                        + name + ": missing " + String.join(", ", fs.missing()) + ". Complete it, or remove the folder"
                        + " to use " + name + " from " + (configured != null ? "its default places" : "the next place searched")
                        + " (bin/flowbench data list shows them)");
            }
        }
        return Optional.empty();
    }

    /** The copy a run uses (see {@link #find}), or an error listing every place searched and how to install it. */
    public DatasetSource.FileSet locate(String name, Path configured) throws IOException {
        Optional<DatasetSource.FileSet> found = find(name, configured);
        if (found.isPresent()) {
            return found.get();
        }
        List<String> places = searchPaths(name, configured).stream()
                .map(p -> p.toAbsolutePath().normalize().toString()).toList();
        DatasetSource.InstallPlan plan = source(name).installPlan(locations);
        throw new DatasetNotFoundException("dataset " + name + " not found in " + String.join(" or ", places) + ". "
                + (configured != null ? "Check data.path, or leave it empty to search the default places. " : "")
                + (plan.automatic() ? "Install it with: bin/flowbench data install " + name + "  (runs: "
                + String.join(" ", plan.command()) + ")" : plan.instructions()));
    }

    /** Finds, decodes and splits a dataset as the options say. */
    public DatasetSplits load(DataOptions options) throws IOException {
        long t0 = System.nanoTime();
        DatasetSource source = source(options.dataset());
        DatasetSource.TrainTest raw = source.load(locate(options.dataset(), options.path()), options);
        ImageDataset full = raw.train();
        int n = full.size();
        int v = options.validation();
        if (v >= n) {
            throw new IllegalArgumentException("data options: validation = " + v + " leaves no training examples of the "
                    + n + " in " + full);
        }
        int[] order = options.shuffle()
                ? Shuffling.permutation(n, Shuffling.random(options.seed(), VALIDATION_STREAM)) : identityFromEnd(n, v);
        String how = options.shuffle() ? "seeded random choice, seed " + options.seed() : "in file order";
        ImageDataset validation = full.select(sorted(order, 0, v), "validation",
                "validation: " + v + " of " + n + " train examples (" + (options.shuffle() ? how : "the last " + v) + ")");
        int keep = options.subset() > 0 ? Math.min(options.subset(), n - v) : n - v;
        ImageDataset train = full;
        if (keep < n) {
            train = full.select(sorted(order, v, keep), "train", "train: " + keep + " of " + n + " examples ("
                    + (v > 0 ? v + " held out for validation, " : "") + (keep < n - v ? "subset " + options.subset() + ", " : "")
                    + how + ")");
        }
        ImageDataset test = raw.test();
        if (options.testSubset() > 0 && options.testSubset() < test.size()) {
            int[] testOrder = options.shuffle()
                    ? Shuffling.permutation(test.size(), Shuffling.random(options.seed(), TEST_STREAM)) : identityFromEnd(test.size(), 0);
            test = test.select(sorted(testOrder, 0, options.testSubset()), "test", "test: subset " + options.testSubset()
                    + " of " + test.size() + " examples (" + how + ")");
        }
        boolean hflip = options.hflip() != null ? options.hflip() : source.naturalImages();
        return new DatasetSplits(Geometry.fit(train, options), Geometry.fit(validation, options), Geometry.fit(test, options),
                options, hflip, (System.nanoTime() - t0) / 1e9);
    }

    /** 0..n-1 ordered so that the first {@code last} are the last ones (validation in file order), then the rest. */
    private static int[] identityFromEnd(int n, int last) {
        int[] p = new int[n];
        for (int i = 0; i < last; i++) {
            p[i] = n - last + i;
        }
        for (int i = last; i < n; i++) {
            p[i] = i - last;
        }
        return p;
    }

    private static int[] sorted(int[] order, int from, int count) {
        int[] s = Arrays.copyOfRange(order, from, from + count);
        Arrays.sort(s);
        return s;
    }
}
