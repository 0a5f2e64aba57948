package io.flowbench.tracking;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * Links into the MLflow UI that open an experiment as model training: its runs, one row each, with their
 * metric charts. Without them, the MLflow 3 UI (as of 3.17.2) shows a new visitor a training experiment in its
 * GenAI view, and its runs as collapsed parents without metrics:
 * <ul>
 *   <li>it chooses between the GenAI view (Traces, Evaluation runs) and the model-training view (Runs, Models)
 *   by the sidebar's "GenAI / Model training" switch, GenAI by default, and not by the experiment's
 *   {@link MlflowTags#EXPERIMENT_KIND} tag; the URL parameter {@code workflowType} sets the switch (a click on
 *   it is also remembered by the browser);</li>
 *   <li>sorted by creation time (its default), it nests child runs under collapsed parent runs, and its charts
 *   show the visible rows only: a parent, which has no metrics ("Model metrics (0)"). Sorted by a metric, every
 *   run is a row of its own.</li>
 * </ul>
 */
public final class MlflowUiLinks {
    /** The metric runs are sorted by, lowest first: periodic test bits/dim, which every run logs early on. */
    static final String SORT_METRIC = "test_bpd";

    private MlflowUiLinks() {
    }

    /** The experiment's runs in chart view, best first, under the UI at {@code base} (e.g. http://127.0.0.1:5000). */
    public static String trainingRuns(String base, String experimentId) {
        return base.replaceAll("/+$", "") + "/#/experiments/" + experimentId + "/runs?workflowType=machine_learning"
                + "&compareRunsMode=CHART&orderByKey=" + encode("metrics.`" + SORT_METRIC + "`") + "&orderByAsc=true";
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
