package io.flowbench.data;

import com.google.inject.AbstractModule;
import com.google.inject.multibindings.Multibinder;

/**
 * Guice bindings of the data concern: every dataset source the registry can resolve by the name a
 * configuration gives (a new format is one more binding here), and where datasets are looked for.
 */
public final class DataModule extends AbstractModule {
    private final DataLocations locations;

    public DataModule(DataLocations locations) {
        this.locations = locations;
    }

    /** Datasets looked for under $FLOWBENCH_DATA_DIR, else ./data, then the package locations. */
    public DataModule() {
        this(DataLocations.fromEnvironment());
    }

    @Override
    protected void configure() {
        bind(DataLocations.class).toInstance(locations);
        Multibinder<DatasetSource> sources = Multibinder.newSetBinder(binder(), DatasetSource.class);
        sources.addBinding().toInstance(new FashionMnistSource());
        sources.addBinding().toInstance(new MnistNpmSource());
        sources.addBinding().toInstance(new Cifar10Source());
        sources.addBinding().toInstance(new DownsampledImageNetSource(32));
        sources.addBinding().toInstance(new DownsampledImageNetSource(64));
        sources.addBinding().toInstance(new ImageFolderSource());
    }
}
