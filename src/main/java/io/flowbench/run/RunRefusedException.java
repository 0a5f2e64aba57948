package io.flowbench.run;

/**
 * A run cannot be trained as asked (it is held by another process, its checkpoint is corrupt, its settings
 * changed): the user's to fix, reported in one line with exit code 2. Thrown before anything recorded changes.
 */
public class RunRefusedException extends IllegalArgumentException {
    public RunRefusedException(String message) {
        super(message);
    }

    public RunRefusedException(String message, Throwable cause) {
        super(message, cause);
    }
}
