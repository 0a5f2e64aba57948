package io.flowbench.train;

import java.io.IOException;
import java.nio.file.Path;

/** A checkpoint file that cannot be trusted: empty, truncated, not a checkpoint, or its content changed. */
public final class CorruptCheckpointException extends IOException {
    public CorruptCheckpointException(Path file, String reason) {
        super("checkpoint " + file + " is corrupt: " + reason);
    }
}
