package io.flowbench.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * One kind of dataset the registry can resolve: where its files are looked for, which files make it
 * complete, how they decode into a train and a test split, and how to install it.
 */
public interface DatasetSource {

    /** The registry name configs use, e.g. {@code fashion-mnist}. */
    String name();

    /** One line for {@code data list}. */
    String description();

    /** Whether random horizontal flips suit this data (natural images) when the options do not say. */
    boolean naturalImages();

    /** Image shape and class count as the format stores them; empty when the files decide (image folders). */
    Optional<StoredShape> storedShape();

    /** The folders searched, in order, when no path is configured. */
    List<Path> searchPaths(DataLocations locations);

    /** The files of this dataset in {@code dir}, with what is missing there. */
    FileSet find(Path dir) throws IOException;

    /** Decodes a complete file set (pixels 0..255, original size) into its train and test splits. */
    TrainTest load(FileSet files, DataOptions options) throws IOException;

    /** How to install it: a command to run, or instructions to follow. */
    InstallPlan installPlan(DataLocations locations);

    /** [channels, height, width] of every image of a dataset, and its number of classes. */
    record StoredShape(int channels, int height, int width, int classes) {
    }

    /** The files found in one folder, and the ones expected there but missing. */
    record FileSet(Path dir, List<Path> files, List<String> missing) {
        public FileSet {
            files = List.copyOf(files);
            missing = List.copyOf(missing);
        }

        public boolean complete() {
            return missing.isEmpty() && !files.isEmpty();
        }
    }

    /** A decoded dataset before the registry applies options. */
    record TrainTest(ImageDataset train, ImageDataset test) {
    }

    /**
     * How a dataset is installed: {@code command} (run as is, e.g. apt-get or npm) when a package manager
     * provides it, else empty with {@code instructions} saying what to fetch and where to put it.
     */
    record InstallPlan(List<String> command, String instructions) {
        public InstallPlan {
            command = List.copyOf(command);
        }

        public boolean automatic() {
            return !command.isEmpty();
        }
    }
}
