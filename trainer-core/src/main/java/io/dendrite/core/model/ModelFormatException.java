package io.dendrite.core.model;

import java.io.IOException;

/** A model or weights file that cannot be read: the message names the file, where, expected and found. */
public final class ModelFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    /** A failure described by {@code message}. */
    public ModelFormatException(String message) {
        super(message);
    }

    /** A failure described by {@code message}, caused by {@code cause}. */
    public ModelFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
