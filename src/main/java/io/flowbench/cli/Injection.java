package io.flowbench.cli;

import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.Module;
import com.google.inject.ProvisionException;
import io.flowbench.config.ConfigModule;
import io.flowbench.data.DataModule;

/** The commands' Guice injectors: configuration and data first, run-specific modules (tracking, training) on top. */
final class Injection {
    private Injection() {
    }

    /** Bindings that need no experiment: model kinds, dataset sources. */
    static Injector base() {
        return Guice.createInjector(new DataModule(), new ConfigModule());
    }

    /** Gets an instance, rethrowing what its provider threw (a tracking server that is down, say) as itself. */
    static <T> T get(Injector injector, Class<T> type, Module... extra) {
        try {
            return (extra.length == 0 ? injector : injector.createChildInjector(extra)).getInstance(type);
        } catch (ProvisionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw e;
        }
    }
}
