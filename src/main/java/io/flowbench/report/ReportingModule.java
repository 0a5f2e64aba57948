package io.flowbench.report;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import io.flowbench.run.ExperimentReporter;
import io.flowbench.tracking.Tracker;
import io.flowbench.tracking.TrackingStore;

/**
 * Guice bindings of the reporting concern: the comparison report closes each invocation, read back from
 * the local store every run writes (so it equals what {@code flowbench compare} rebuilds later).
 * Needs the tracking bindings.
 */
public final class ReportingModule extends AbstractModule {
    @Override
    protected void configure() {
        bind(ExperimentReporter.class).to(ComparisonReporter.class);
    }

    @Provides
    TrackingStore reportSource(Tracker tracker) {
        return tracker.localStore();
    }
}
