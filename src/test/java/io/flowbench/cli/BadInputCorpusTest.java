package io.flowbench.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.flowbench.data.DataLocations;
import io.flowbench.data.TestData;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The bad-input corpus (src/test/resources/bad-inputs/cases.txt): every case runs through the real command
 * line, {@link FlowbenchCli#run(PrintWriter, PrintWriter, String...)} with picocli's writers captured, and must
 * exit with its code, print its message, print no stack trace, say it in at most two lines, and leave no run
 * in its tracking store. A new case is a line in the table, plus a config under configs/ or a {@link Fixture}
 * when it needs files.
 */
class BadInputCorpusTest {
    private static final String CORPUS = "/bad-inputs/";
    private static HttpServer notMlflow;
    private static int closedPort;

    @TempDir
    Path tmp;

    /** One line of the table. */
    record Case(String id, String command, int exit, String fragment, String setup) {
        @Override
        public String toString() {
            return id;
        }
    }

    static Stream<Case> cases() throws IOException {
        List<Case> cases = new ArrayList<>();
        for (String line : resource("cases.txt").split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split(" \\| ", -1);
            assertTrue(f.length == 4 || f.length == 5, "cases.txt: expected 4 or 5 columns: " + line);
            cases.add(new Case(f[0].strip(), f[1].strip(), Integer.parseInt(f[2].strip()), f[3].strip(),
                    f.length == 5 ? f[4].strip() : ""));
        }
        return cases.stream();
    }

    @BeforeAll
    static void servers() throws IOException {
        notMlflow = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        notMlflow.createContext("/", exchange -> {
            byte[] page = "<html><body>a web server, not MLflow</body></html>".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "text/html");
            exchange.sendResponseHeaders(200, page.length);
            exchange.getResponseBody().write(page);
            exchange.close();
        });
        notMlflow.start();
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort(); // free once closed: nothing listens there
        }
    }

    @AfterAll
    static void stopServers() {
        notMlflow.stop(0);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void badInputIsRejectedWithItsMessage(Case c) throws Exception {
        Map<String, String> vars = Map.of(
                "{configs}", tmp.resolve("configs").toString(),
                "{store}", tmp.resolve("mlruns").toString(),
                "{data}", tmp.resolve("data").toString(),
                "{file}", tmp.resolve("a-file").toString(),
                "{tmp}", tmp.toString(),
                "{closed}", "http://127.0.0.1:" + closedPort,
                "{not-mlflow}", "http://127.0.0.1:" + notMlflow.getAddress().getPort());
        Files.createDirectories(tmp.resolve("configs"));
        for (Path conf : configs()) {
            Files.writeString(tmp.resolve("configs").resolve(conf.getFileName().toString()),
                    substitute(Files.readString(conf), vars));
        }
        Files.writeString(tmp.resolve("a-file"), "not a folder\n");
        Files.createDirectories(tmp.resolve("data"));
        if (!c.setup().isEmpty()) {
            Fixture.valueOf(c.setup().toUpperCase().replace('-', '_')).write(tmp);
        }

        Result r = run(tmp.resolve("data"), substitute(c.command(), vars).split(" "));

        String fragment = substitute(c.fragment(), vars);
        assertEquals(c.exit(), r.exit(), c.id() + ": exit code; stderr:\n" + r.err());
        assertTrue(r.err().contains(fragment), c.id() + ": expected \"" + fragment + "\" in:\n" + r.err());
        assertFalse(r.err().contains("\tat ") || r.err().contains("Exception:"), c.id() + ": a stack trace:\n" + r.err());
        // A case that is the first to read Fashion-MNIST on a machine without it installs it first, saying so.
        long lines = r.err().strip().lines()
                .filter(l -> !l.startsWith("flowbench: installing dataset ") && !l.matches("flowbench: dataset \\S+ installed in .*")).count();
        assertTrue(lines <= 2, c.id() + ": more than two lines besides a dataset's installation:\n" + r.err());
        assertEquals(List.of(), runsIn(tmp.resolve("mlruns")), c.id() + ": a run was created");
    }

    /** A run of a user-supplied dataset that is missing stops before ./mlruns (the default store) gets anything. */
    @Test
    void aMissingUserSuppliedDatasetLeavesTheDefaultStoreWithoutANewRun() throws Exception {
        Path conf = tmp.resolve("cifar.conf");
        Files.writeString(conf, "experiment { name = corpus-cifar, data.name = cifar10, model.levels = 3 }\n");
        Path mlruns = Path.of("mlruns");
        List<Path> before = runsIn(mlruns);
        boolean existed = Files.exists(mlruns);
        Result r = run(tmp.resolve("no-data"), "run", conf.toString());
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains("cifar-10-binary.tar.gz") && r.err().contains(tmp.resolve("no-data").resolve("cifar10").toString()),
                r.err());
        assertEquals(before, runsIn(mlruns));
        assertEquals(existed, Files.exists(mlruns), "./mlruns is not even created");
    }

    /** --debug (anywhere on the line) adds the stack trace to the same message and exit code. */
    @Test
    void debugPrintsTheStackTraceToo() throws Exception {
        Path conf = tmp.resolve("frac.conf");
        Files.writeString(conf, "experiment.training.steps = 10.5\n");
        for (List<String> args : List.of(List.of("--debug", "run", conf.toString(), "--dry-run"),
                List.of("run", conf.toString(), "--dry-run", "--debug"))) {
            Result r = run(tmp.resolve("data"), args.toArray(String[]::new));
            assertEquals(2, r.exit(), r.err());
            assertTrue(r.err().startsWith("flowbench run: " + conf + ": 1: experiment.training.steps: must be a whole number"),
                    r.err());
            assertTrue(r.err().contains("io.flowbench.config.ConfigError: ") && r.err().contains("\tat io.flowbench."), r.err());
        }
    }

    /** No config file of the corpus lies unused (base.conf is included by the others). */
    @Test
    void everyConfigFileIsUsedByACase() throws Exception {
        String table = resource("cases.txt");
        for (Path conf : configs()) {
            String name = conf.getFileName().toString();
            assertTrue(name.equals("base.conf") || table.contains("{configs}/" + name), name + " is used by no case");
        }
    }

    private static List<Path> configs() throws IOException {
        try (Stream<Path> s = Files.list(Path.of(URI.create(
                BadInputCorpusTest.class.getResource(CORPUS + "configs").toString())))) {
            return s.sorted().toList();
        }
    }

    /** Bad files the data cases need, written under the case's temporary folder. */
    enum Fixture {
        GARBAGE_CONF {
            @Override
            void write(Path tmp) throws IOException {
                Files.write(tmp.resolve("garbage.conf"), TestData.randomBytes(2000, 12));
            }
        },
        FASHION_PARTIAL {
            @Override
            void write(Path tmp) throws IOException {
                Files.delete(fashion(tmp).resolve("t10k-labels-idx1-ubyte.gz"));
            }
        },
        FASHION_TRUNCATED_GZIP {
            @Override
            void write(Path tmp) throws IOException {
                Path f = fashion(tmp).resolve("train-images-idx3-ubyte.gz");
                byte[] b = Files.readAllBytes(f);
                Files.write(f, Arrays.copyOf(b, b.length / 2));
            }
        },
        FASHION_NOT_GZIP {
            @Override
            void write(Path tmp) throws IOException {
                Files.write(fashion(tmp).resolve("train-images-idx3-ubyte.gz"), TestData.randomBytes(500, 7));
            }
        },
        FASHION_SHORT_DATA {
            @Override
            void write(Path tmp) throws IOException {
                Files.write(fashion(tmp).resolve("train-images-idx3-ubyte.gz"),
                        TestData.gzip(TestData.idx(new int[] {20, 28, 28}, TestData.randomBytes(784 * 19, 8))));
            }
        },
        FASHION_WRONG_MAGIC {
            @Override
            void write(Path tmp) throws IOException {
                Files.write(fashion(tmp).resolve("t10k-images-idx3-ubyte.gz"), TestData.gzip(TestData.randomBytes(4000, 9)));
            }
        },
        CIFAR_PARTIAL {
            @Override
            void write(Path tmp) throws IOException {
                cifar(tmp, 5);
            }
        },
        CIFAR_TRUNCATED {
            @Override
            void write(Path tmp) throws IOException {
                cifar(tmp, 6);
                Files.write(tmp.resolve("data/cifar10/data_batch_1.bin"), TestData.randomBytes(3000, 10));
            }
        },
        IMAGES_EMPTY {
            @Override
            void write(Path tmp) throws IOException {
                Files.createDirectories(tmp.resolve("images"));
            }
        },
        IMAGES_CORRUPT {
            @Override
            void write(Path tmp) throws IOException {
                for (String split : List.of("train", "test")) {
                    Files.createDirectories(tmp.resolve("images").resolve(split));
                    Files.write(tmp.resolve("images").resolve(split).resolve("a.png"), TestData.randomBytes(300, split.length()));
                }
            }
        };

        abstract void write(Path tmp) throws IOException;

        static Path fashion(Path tmp) throws IOException {
            Path dir = tmp.resolve("data/fashion-mnist");
            TestData.writeFashionMnist(dir, 40, 20);
            return dir;
        }

        static void cifar(Path tmp, int files) throws IOException {
            Path dir = Files.createDirectories(tmp.resolve("data/cifar10"));
            List<String> names = List.of("data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin",
                    "data_batch_5.bin", "test_batch.bin");
            for (String name : names.subList(0, files)) {
                Files.write(dir.resolve(name), TestData.cifarRecords(TestData.randomBytes(3072, name.length()), new int[] {3}));
            }
        }
    }

    private record Result(int exit, String out, String err) {
    }

    /** Runs the command line with {@code dataRoot} as the dataset root and captures what it prints. */
    private static Result run(Path dataRoot, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String before = System.getProperty(DataLocations.PROPERTY);
        System.setProperty(DataLocations.PROPERTY, dataRoot.toString());
        try {
            int exit = FlowbenchCli.run(new PrintWriter(out), new PrintWriter(err), args);
            return new Result(exit, out.toString(), err.toString());
        } finally {
            if (before == null) {
                System.clearProperty(DataLocations.PROPERTY);
            } else {
                System.setProperty(DataLocations.PROPERTY, before);
            }
        }
    }

    /** The run folders (mlruns/<experiment>/<run>/meta.yaml) of a store; none when it does not exist. */
    private static List<Path> runsIn(Path store) throws IOException {
        if (!Files.isDirectory(store)) {
            return List.of();
        }
        try (Stream<Path> s = Files.find(store, 3, (p, a) -> p.getFileName().toString().equals("meta.yaml")
                && store.relativize(p).getNameCount() == 3)) {
            return s.map(Path::getParent).sorted().toList();
        }
    }

    private static String substitute(String text, Map<String, String> vars) {
        String s = text;
        for (Map.Entry<String, String> v : vars.entrySet()) {
            s = s.replace(v.getKey(), v.getValue());
        }
        return s;
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = BadInputCorpusTest.class.getResourceAsStream(CORPUS + name)) {
            if (in == null) {
                throw new UncheckedIOException(new IOException("no test resource " + CORPUS + name));
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
