package io.flowbench.data;

import java.io.IOException;

/** No complete copy of a dataset where it is looked for; the message lists the places and how to install it. */
public final class DatasetNotFoundException extends IOException {

    public DatasetNotFoundException(String message) {
        super(message);
    }
}
