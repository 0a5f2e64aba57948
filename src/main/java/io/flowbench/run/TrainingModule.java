package io.flowbench.run;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;

/** Guice bindings of the training concern: how runs report progress and are stopped (the executor and runner are injectable as they are). */
public final class TrainingModule extends AbstractModule {
    @Override
    protected void configure() {
        bind(StopRequest.class).in(Singleton.class); // one per invocation: its signal handling and its runs
    }

    @Provides
    @Singleton
    Progress progress() {
        return Progress.forConsole();
    }
}
