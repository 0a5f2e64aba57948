package io.flowbench.data;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A dataset file that is missing, truncated or not in the expected format. The message always names the
 * file and says what was expected, so nothing is ever trained on partial data silently.
 */
public final class DataFormatException extends IOException {

    private final transient Path file;

    public DataFormatException(Path file, String expectation) {
        super(file + ": " + expectation);
        this.file = file;
    }

    public DataFormatException(Path file, String expectation, Throwable cause) {
        super(file + ": " + expectation, cause);
        this.file = file;
    }

    /** The offending file. */
    public Path file() {
        return file;
    }
}
