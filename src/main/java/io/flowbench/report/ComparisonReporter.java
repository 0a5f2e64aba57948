package io.flowbench.report;

import com.google.inject.Inject;
import com.typesafe.config.Config;
import io.flowbench.config.ModelConfigs;
import io.flowbench.run.ExperimentReporter;
import io.flowbench.run.RunKeys;
import io.flowbench.tracking.TrackedRun;
import io.flowbench.tracking.TrackingStore;
import io.flowbench.util.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The comparison at the end of {@code flowbench run} (and after {@code --resume}): built from the store as
 * {@code compare} would, its settings logged as params and its files as artifacts ({@code report/}, {@link RunKeys.Artifact#REPORT_DIR})
 * of the parent run, replacing an earlier report there; its Markdown printed. When it cannot be made, the
 * runs stay in the store for {@code compare}.
 */
public final class ComparisonReporter implements ExperimentReporter {
    private final TrackingStore store;
    private final ModelConfigs models;

    @Inject
    public ComparisonReporter(TrackingStore store, ModelConfigs models) {
        this.store = store;
        this.models = models;
    }

    @Override
    public String publish(TrackedRun parent, String experimentName, Config experiment) {
        try {
            ReportSettings settings = ReportSettings.from(experiment.getConfig("experiment"));
            parent.logParams(settings.params());
            ComparisonReport report = ComparisonReport.of(
                    ExperimentResults.load(store, models, experimentName, parent.id()), settings);
            Path dir = Files.createTempDirectory("flowbench-report");
            try {
                report.writeTo(dir);
                parent.logArtifact(dir, RunKeys.Artifact.REPORT_DIR);
            } finally {
                AtomicFiles.deleteTree(dir);
            }
            return report.markdown();
        } catch (IOException | RuntimeException e) {
            return "comparison report: not made (" + e.getClass().getSimpleName() + ": " + e.getMessage() + "); the runs "
                    + "are in " + store.describe() + ", try `bin/flowbench compare --experiment " + experimentName + "`";
        }
    }
}
