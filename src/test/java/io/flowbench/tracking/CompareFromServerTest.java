package io.flowbench.tracking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowbench.Integration;
import io.flowbench.cli.FlowbenchCli;
import io.flowbench.report.SyntheticExperiment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code flowbench compare --tracking-uri http://...} reads a real MLflow tracking server: runs made elsewhere
 * (here: written locally, then synced) give the same report as from the store they were made in.
 */
@Integration
class CompareFromServerTest {

    @Test
    void theReportFromAServerEqualsTheReportFromTheLocalStore(@TempDir Path tmp) throws Exception {
        Path mlruns = tmp.resolve("mlruns");
        SyntheticExperiment.write(mlruns);
        Path local = tmp.resolve("from-local");
        assertEquals(0, FlowbenchCli.run("compare", "--experiment", SyntheticExperiment.NAME, "--tracking-uri",
                mlruns.toString(), "--out", local.toString()));
        try (MlflowServerProcess server = MlflowServerProcess.sqlite(tmp.resolve("server"))) {
            try (ServerStore store = ServerStore.connect(server.uri(), Duration.ofSeconds(10))) {
                assertTrue(new Syncer(new LocalStore(mlruns), store).syncExperiment(SyntheticExperiment.NAME).isComplete());
            }
            Path remote = tmp.resolve("from-server");
            assertEquals(0, FlowbenchCli.run("compare", "--experiment", SyntheticExperiment.NAME, "--tracking-uri",
                    server.uri().toString(), "--out", remote.toString()));
            assertEquals(withoutHeader(local), withoutHeader(remote), "only the store and the run ids differ");
            for (String csv : new String[] {"likelihood.csv", "convergence.csv"}) {
                assertEquals(Files.readString(local.resolve(csv)), Files.readString(remote.resolve(csv)), csv);
            }
        }
    }

    /** The Markdown report without its "Parent run <id> ... in <store>" paragraph. */
    private static String withoutHeader(Path dir) throws Exception {
        return Files.readAllLines(dir.resolve("report.md")).stream().filter(l -> !l.startsWith("Parent run "))
                .collect(Collectors.joining("\n"));
    }
}
