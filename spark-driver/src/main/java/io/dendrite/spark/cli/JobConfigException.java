package io.dendrite.spark.cli;

/** A job file or command line that cannot be run as written; the message names the key and what is allowed. */
public final class JobConfigException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /** With the message to show the user. */
    public JobConfigException(String message) {
        super(message);
    }
}
