package io.flowbench.run;

import com.typesafe.config.Config;
import io.flowbench.tracking.TrackedRun;

/**
 * What closes an invocation of an experiment: a report of the runs under its parent run, logged on that run.
 * Declared here, where it is used, so that the report may read runs with the run package's readers.
 */
public interface ExperimentReporter {

    /**
     * Reports the runs under {@code parent} and logs the report on it; returns text for the console. Never
     * throws: a report that cannot be made must not lose finished training, so the text says why instead.
     *
     * @param experiment the resolved experiment file
     */
    String publish(TrackedRun parent, String experimentName, Config experiment);
}
