package io.flowbench.tracking;

/** A tracking failure, with a message that says what failed, where, and how to fix it. */
public class TrackingException extends RuntimeException {

    public TrackingException(String message) {
        super(message);
    }

    public TrackingException(String message, Throwable cause) {
        super(message, cause);
    }
}
