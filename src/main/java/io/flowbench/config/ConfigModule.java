package io.flowbench.config;

import com.google.inject.AbstractModule;
import com.google.inject.multibindings.MapBinder;

/**
 * Guice bindings of the configuration concern: the model kinds a {@code model.kind} may name, each
 * with the reader of its step options. The set of families is open: a new one is its
 * {@link io.flowbench.model.StepSpec} implementation, its reader, one binding here and its keys in
 * conf/reference.conf (docs/flow-api.md).
 */
public final class ConfigModule extends AbstractModule {
    @Override
    protected void configure() {
        MapBinder<String, StepReader> kinds = MapBinder.newMapBinder(binder(), String.class, StepReader.class);
        kinds.addBinding("glow").to(GlowStepReader.class);
        kinds.addBinding("dlf").to(DlfStepReader.class);
        kinds.addBinding("resflow").to(ResFlowStepReader.class);
    }
}
