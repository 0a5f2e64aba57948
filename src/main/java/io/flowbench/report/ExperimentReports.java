package io.flowbench.report;

import com.typesafe.config.Config;
import io.flowbench.tracking.TrackedRun;
import io.flowbench.tracking.TrackingStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** The comparison at the end of {@code flowbench run}: built from the store, logged on the parent run, printed. */
public final class ExperimentReports {
    /** Where the report's files go among the parent run's artifacts. */
    public static final String ARTIFACT_PATH = "report";

    private ExperimentReports() {
    }

    /**
     * Builds the report of the runs under {@code parent} (read back from {@code store}, as {@code compare}
     * would), logs its settings as params and its files as artifacts ({@value #ARTIFACT_PATH}/) of the parent,
     * and returns its Markdown for the console. Never throws: a report that cannot be made must not lose
     * finished training, so the reason is returned (and the runs stay in the store for {@code compare}).
     *
     * @param experiment the resolved experiment file (its {@code experiment.report} block)
     */
    public static String publish(TrackingStore store, TrackedRun parent, String experimentName, Config experiment) {
        try {
            ReportSettings settings = ReportSettings.from(experiment.getConfig("experiment"));
            parent.logParams(settings.params());
            ComparisonReport report = ComparisonReport.of(
                    ExperimentResults.load(store, experimentName, parent.id()), settings);
            Path dir = Files.createTempDirectory("flowbench-report");
            try {
                report.writeTo(dir);
                parent.logArtifact(dir, ARTIFACT_PATH);
            } finally {
                deleteTree(dir);
            }
            return report.markdown();
        } catch (IOException | RuntimeException e) {
            return "comparison report: not made (" + e.getClass().getSimpleName() + ": " + e.getMessage() + "); the runs "
                    + "are in " + store.describe() + ", try `bin/flowbench compare --experiment " + experimentName + "`";
        }
    }

    /** Deletes a directory and everything in it (a no-op when it does not exist). */
    public static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
