package io.flowbench.config;

/** A configuration that cannot be used: names the file (and line) and the key, and says why. */
public final class ConfigError extends RuntimeException {

    public ConfigError(String origin, String key, String reason) {
        super(origin + ": " + key + ": " + reason);
    }

    public ConfigError(String origin, String key, String reason, Throwable cause) {
        super(origin + ": " + key + ": " + reason, cause);
    }

    public ConfigError(String message, Throwable cause) {
        super(message, cause);
    }
}
