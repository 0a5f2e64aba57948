package io.flowbench.tracking;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;

/**
 * Guice bindings of the tracking concern: the tracker a {@code tracking.uri} chooses (the local
 * MLflow store, mirrored to a server for http(s) URIs; see {@link TrackingTarget}).
 */
public final class TrackingModule extends AbstractModule {
    private final String trackingUri;

    public TrackingModule(String trackingUri) {
        this.trackingUri = trackingUri;
    }

    @Provides
    @Singleton
    Tracker tracker() {
        return Tracker.open(trackingUri);
    }
}
