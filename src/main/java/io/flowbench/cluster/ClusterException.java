package io.flowbench.cluster;

/**
 * A cluster run that cannot start as configured (no tracking server, an unreachable master, no executors, a
 * worker without the dataset): the user's to fix, so one line saying what, where and how, and exit code 2.
 */
public final class ClusterException extends IllegalArgumentException {
    public ClusterException(String message) {
        super(message);
    }

    public ClusterException(String message, Throwable cause) {
        super(message, cause);
    }
}
