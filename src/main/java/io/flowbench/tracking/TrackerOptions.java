package io.flowbench.tracking;

import java.time.Duration;

/**
 * Timing of the server mirror: how often new records are sent, how long {@link Tracker#close} waits for the
 * last sends, and how long a connection attempt may take.
 */
public record TrackerOptions(Duration syncInterval, Duration closeTimeout, Duration connectTimeout) {

    public static TrackerOptions defaults() {
        return new TrackerOptions(Duration.ofSeconds(10), Duration.ofSeconds(60), Duration.ofSeconds(10));
    }

    public TrackerOptions withSyncInterval(Duration d) {
        return new TrackerOptions(d, closeTimeout, connectTimeout);
    }

    public TrackerOptions withCloseTimeout(Duration d) {
        return new TrackerOptions(syncInterval, d, connectTimeout);
    }
}
