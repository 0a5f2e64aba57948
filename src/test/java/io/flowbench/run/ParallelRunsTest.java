package io.flowbench.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flowbench.Integration;
import io.flowbench.cli.FlowbenchCli;
import io.flowbench.report.ReportTables;
import io.flowbench.tracking.LocalStore;
import io.flowbench.tracking.RunRecord;
import io.flowbench.tracking.RunStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code run --executor local --parallel N}: the runs train at the same time in this process, each exactly as it
 * would alone with its share of the native threads, so the report equals a sequential run's on that many threads.
 */
@Integration
class ParallelRunsTest {
    @TempDir
    Path dir;

    @Test
    void runsTrainedTogetherEndAsTheyWouldOneAfterAnother() throws Exception {
        Path conf = dir.resolve("exp.conf");
        Files.writeString(conf, """
                experiment {
                  name = parallel
                  seeds = [0, 1]
                  data { name = fashion-mnist, subset = 64, test-subset = 30 }
                  model { kind = glow, levels = 2, depth = 1, hidden = 8 }
                  variants = [ { name = glow } ]
                  training { batch-size = 16, steps = 20, warmup-steps = 1, log-every-steps = 5 }
                  evaluation { every-steps = 10, test-examples = 30, batch-size = 30, samples = 0 }
                }
                """);
        // Four native threads here: two for each run, each on its own thread (a new thread would start from
        // OMP_NUM_THREADS, 1 under the tests); the sequential runs get two as well, so the numbers are the same.
        try (NativeThreads four = NativeThreads.use(4)) {
            assertEquals(0, FlowbenchCli.run("run", conf.toString(), "--parallel", "2", "--set",
                    "experiment.tracking.uri=" + dir.resolve("parallel")));
            assertEquals(4, NativeThreads.current(), "this thread keeps its threads");
        }
        try (NativeThreads two = NativeThreads.use(2)) {
            assertEquals(0, FlowbenchCli.run("run", conf.toString(), "--set",
                    "experiment.tracking.uri=" + dir.resolve("sequential")));
        }
        LocalStore store = new LocalStore(dir.resolve("parallel"));
        List<RunRecord> runs = store.runs(store.experimentByName("parallel").orElseThrow().id()).stream()
                .filter(r -> r.parentRunId().isPresent()).toList();
        assertEquals(2, runs.size());
        runs.forEach(r -> assertEquals(RunStatus.FINISHED, r.status(), r.runName()));
        runs.forEach(r -> assertEquals("2", r.tags().get(RunKeys.Tag.NATIVE_THREADS), r.runName() + "'s native threads"));
        assertTrue(runs.get(0).startTime() < runs.get(1).endTime() && runs.get(1).startTime() < runs.get(0).endTime(),
                "the two runs were training at the same time");
        Path parallel = dir.resolve("report-parallel");
        Path sequential = dir.resolve("report-sequential");
        assertEquals(0, FlowbenchCli.run("compare", "--experiment", "parallel", "--tracking-uri",
                dir.resolve("parallel").toString(), "--out", parallel.toString()));
        assertEquals(0, FlowbenchCli.run("compare", "--experiment", "parallel", "--tracking-uri",
                dir.resolve("sequential").toString(), "--out", sequential.toString()));
        for (String csv : ReportTables.RESULTS) {
            assertEquals(ReportTables.withoutTimes(sequential.resolve(csv)), ReportTables.withoutTimes(parallel.resolve(csv)), csv);
        }
    }
}
