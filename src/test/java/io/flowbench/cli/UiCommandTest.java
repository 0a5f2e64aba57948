package io.flowbench.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import io.flowbench.tracking.LocalStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 13: the links {@code flowbench ui} prints open each experiment in the MLflow UI's model-training view. */
class UiCommandTest {

    @Test
    void printsEachActiveExperimentsLinkToItsTrainingRuns(@TempDir Path tmp) throws Exception {
        LocalStore store = new LocalStore(tmp.resolve("mlruns"));
        assertEquals("", UiCommand.experimentLinks(store, "http://127.0.0.1:5000"), "nothing to open yet");
        String quickstart = store.getOrCreateExperiment("quickstart");
        store.createRun(quickstart, "quickstart", 1L, Map.of());
        String gone = store.getOrCreateExperiment("gone");
        Files.move(tmp.resolve("mlruns").resolve(gone), tmp.resolve("mlruns/.trash").resolve(gone));

        String links = UiCommand.experimentLinks(store, "http://127.0.0.1:5000");
        assertTrue(links.contains("  quickstart  http://127.0.0.1:5000/#/experiments/" + quickstart
                + "/runs?workflowType=machine_learning&compareRunsMode=CHART&orderByKey=metrics.%60test_bpd%60"
                + "&orderByAsc=true\n"), links);
        assertFalse(links.contains("gone"), "deleted experiments are left out: " + links);
        assertFalse(links.contains("Default"), "the empty Default experiment is left out: " + links);
        assertTrue(links.contains("\"Model training\""), links);
    }
}
