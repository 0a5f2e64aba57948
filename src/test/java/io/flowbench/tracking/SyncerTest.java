package io.flowbench.tracking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sync semantics against a second local store as target (no server needed). */
class SyncerTest {

    @TempDir
    Path tmp;
    LocalStore local;
    FlakyStore target;
    Syncer syncer;
    String exp;
    String parent;
    String child;

    @BeforeEach
    void record() throws IOException {
        local = new LocalStore(tmp.resolve("local"));
        target = new FlakyStore(tmp.resolve("target"));
        syncer = new Syncer(local, target.store);
        exp = local.getOrCreateExperiment("exp");
        parent = local.createRun(exp, "parent", 1L, Map.of()).runId();
        child = local.createRun(exp, "child", 2L, Map.of(MlflowTags.PARENT_RUN_ID, parent)).runId();
        local.logBatch(child, List.of(new MetricPoint("loss", 2.0, 10L, 0), new MetricPoint("loss", 1.0, 11L, 1)),
                Map.of("lr", "0.1"), Map.of("model", "dlf"));
        local.logArtifact(child, Files.writeString(tmp.resolve("a.txt"), "a"), "notes");
        local.updateRun(child, RunStatus.FINISHED, 20L);
    }

    private RunRecord onTarget(String name) {
        String targetExp = target.delegate.experimentByName("exp").orElseThrow().id();
        return target.delegate.runs(targetExp).stream().filter(r -> r.runName().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void copiesRunsWithNestingTranslated() {
        SyncReport r = syncer.syncAll();
        assertTrue(r.isComplete(), r::toString);
        assertEquals(2, r.createdRuns());
        RunRecord p = onTarget("parent");
        RunRecord c = onTarget("child");
        assertEquals(p.runId(), c.tags().get(MlflowTags.PARENT_RUN_ID));
        assertEquals(child, c.tags().get(MlflowTags.LOCAL_RUN_ID));
        assertEquals(Map.of("lr", "0.1"), c.params());
        assertEquals("dlf", c.tags().get("model"));
        assertEquals(List.of(2.0, 1.0), target.delegate.metricHistory(c.runId(), "loss").stream()
                .map(MetricPoint::value).toList());
        assertEquals(Map.of("notes/a.txt", 1L), target.delegate.artifacts(c.runId()));
        assertEquals(RunStatus.FINISHED, c.status());
        assertEquals(20L, c.endTime());
        assertEquals(RunStatus.RUNNING, p.status());
    }

    @Test
    void syncingAgainSendsOnlyWhatIsNew() {
        syncer.syncAll();
        SyncReport again = syncer.syncAll();
        assertTrue(again.isComplete());
        assertEquals(0, again.createdRuns() + again.metricsSent() + again.paramsSent() + again.tagsSent()
                + again.artifactsSent(), again::toString);

        local.logBatch(child, List.of(new MetricPoint("loss", 0.5, 12L, 2)), Map.of(), Map.of("model", "dlf-k2"));
        SyncReport more = syncer.syncRun(child);
        assertEquals(1, more.metricsSent());
        assertEquals(1, more.tagsSent());
        RunRecord c = onTarget("child");
        assertEquals(3, target.delegate.metricHistory(c.runId(), "loss").size());
        assertEquals("dlf-k2", c.tags().get("model"));
        assertEquals(2, target.createdRuns.get());
    }

    @Test
    void aLostMappingDoesNotDuplicateRuns() throws IOException {
        syncer.syncAll();
        try (var files = Files.walk(local.root())) {
            for (Path p : files.filter(f -> f.toString().contains("flowbench-sync")).sorted(java.util.Comparator.reverseOrder())
                    .toList()) {
                Files.delete(p);
            }
        }
        local.logBatch(child, List.of(new MetricPoint("loss", 0.5, 12L, 2)), Map.of(), Map.of());
        SyncReport r = new Syncer(local, target.store).syncAll();
        assertTrue(r.isComplete(), r::toString);
        assertEquals(2, target.createdRuns.get(), "the target's runs are found by their flowbench.localRunId tag");
        assertEquals(List.of(2.0, 1.0, 0.5), target.delegate.metricHistory(onTarget("child").runId(), "loss").stream()
                .map(MetricPoint::value).toList());
    }

    @Test
    void anOutageIsReportedAndTheNextSyncCompletes() {
        target.down = true;
        SyncReport r = syncer.syncAll();
        assertFalse(r.isComplete());
        assertTrue(r.failures().get(child).contains("Connection refused"), r::toString);
        target.down = false;
        assertTrue(syncer.syncAll().isComplete());
        assertEquals(2, target.createdRuns.get());
    }

    @Test
    void experimentTagsReachTheTargetAlsoWhenSetAfterItsRunsWereSent() {
        assertTrue(syncer.syncAll().isComplete());
        String targetExp = target.delegate.experimentByName("exp").orElseThrow().id();
        assertEquals(Map.of(), target.delegate.experiment(targetExp).orElseThrow().tags());

        local.setExperimentTag(exp, MlflowTags.EXPERIMENT_KIND, MlflowTags.MODEL_TRAINING);
        assertTrue(new Syncer(local, target.store).syncAll().isComplete()); // the next process's sync
        assertEquals(Map.of(MlflowTags.EXPERIMENT_KIND, MlflowTags.MODEL_TRAINING),
                target.delegate.experiment(targetExp).orElseThrow().tags());
        assertEquals(2, target.createdRuns.get(), "no run is sent twice");
    }

    @Test
    void oneExperimentOnly() {
        String other = local.getOrCreateExperiment("other");
        local.createRun(other, "x", 3L, Map.of());
        SyncReport r = syncer.syncExperiment("exp");
        assertEquals(2, r.syncedRuns().size());
        assertTrue(target.delegate.experimentByName("other").isEmpty());
    }
}
