package io.flowbench.report;

import io.flowbench.config.ModelConfigs;
import io.flowbench.tracking.ExperimentRecord;
import io.flowbench.tracking.MlflowTags;
import io.flowbench.tracking.RunRecord;
import io.flowbench.tracking.TrackingStore;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The runs of one {@code flowbench run} of an experiment (the children of one parent run), read back from a
 * tracking store (the local ./mlruns or an MLflow server) with their learning curves. Nothing but the store
 * is needed, so a report can be rebuilt for runs made on another machine.
 *
 * @param store      where the runs were read (a path or a server URI), for the report's header
 * @param parent     the experiment's parent run
 * @param otherParents how many other parent runs (earlier or later invocations) the experiment has
 * @param runs       the child runs in the order they started (variants x seeds, as planned)
 */
public record ExperimentResults(String experiment, String store, RunRecord parent, int otherParents,
                                List<RunResult> runs) {
    public ExperimentResults {
        runs = List.copyOf(runs);
    }

    /** Variant names in the order their first run started. */
    public List<String> variants() {
        LinkedHashSet<String> names = new LinkedHashSet<>();
        runs.forEach(r -> names.add(r.variant()));
        return List.copyOf(names);
    }

    public List<RunResult> runsOf(String variant) {
        return runs.stream().filter(r -> r.variant().equals(variant)).toList();
    }

    /** The inputs of a variant: those of its first run that logged them (all its runs share model and data). */
    public Optional<RunInputs> inputsOf(String variant) {
        return runsOf(variant).stream().flatMap(r -> r.inputs().stream()).findFirst();
    }

    /** The inputs of the first run that logged them (the dataset and evaluation settings all runs share). */
    public Optional<RunInputs> inputs() {
        return runs.stream().flatMap(r -> r.inputs().stream()).findFirst();
    }

    /**
     * Reads an experiment's runs: those under {@code parentRunId} (its id in the store, or in the local store it was
     * made in), or, when null, under its newest parent run
     * that has any, each rebuilt with {@code models} (see {@link RunReader}). A missing experiment or parent, or
     * a run without a key the report needs, is an {@link IllegalArgumentException} saying what is missing.
     */
    public static ExperimentResults load(TrackingStore store, ModelConfigs models, String experimentName,
                                         String parentRunId) {
        ExperimentRecord exp = store.experimentByName(experimentName).filter(ExperimentRecord::isActive)
                .orElseThrow(() -> new IllegalArgumentException("no experiment '" + experimentName + "' in "
                        + store.describe() + "; experiments there: " + String.join(", ", store.experiments().stream()
                        .filter(ExperimentRecord::isActive).map(ExperimentRecord::name).sorted().toList())));
        List<RunRecord> all = store.runs(exp.id());
        Map<String, List<RunRecord>> children = new LinkedHashMap<>();
        for (RunRecord r : all) {
            r.parentRunId().ifPresent(p -> children.computeIfAbsent(p, k -> new ArrayList<>()).add(r));
        }
        List<RunRecord> parents = all.stream().filter(r -> r.parentRunId().isEmpty() && children.containsKey(r.runId()))
                .sorted(Comparator.comparingLong(RunRecord::startTime).reversed()).toList();
        RunRecord parent;
        if (parentRunId != null) {
            // A server's copy of a run is also known by the id the run has in the local store it was made in.
            parent = all.stream().filter(r -> r.runId().equals(parentRunId)
                            || parentRunId.equals(r.tags().get(MlflowTags.LOCAL_RUN_ID))).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no run " + parentRunId + " in experiment '"
                            + experimentName + "' (" + store.describe() + "); its parent runs: " + ids(parents)));
            if (!children.containsKey(parent.runId())) {
                throw new IllegalArgumentException("run " + parentRunId + " has no child runs; the parent runs of '"
                        + experimentName + "' are: " + ids(parents));
            }
        } else if (parents.isEmpty()) {
            throw new IllegalArgumentException("experiment '" + experimentName + "' in " + store.describe()
                    + " has no runs made by `flowbench run` (a parent run with child runs)");
        } else {
            parent = parents.get(0);
        }
        List<RunResult> runs = children.get(parent.runId()).stream()
                .sorted(Comparator.comparingLong(RunRecord::startTime).thenComparing(RunRecord::runName))
                .map(new RunReader(store, models)::read).toList();
        return new ExperimentResults(experimentName, store.describe(), parent, parents.size() - 1, runs);
    }

    private static String ids(List<RunRecord> parents) {
        return parents.isEmpty() ? "(none)" : String.join(", ", parents.stream().map(RunRecord::runId).toList());
    }
}
