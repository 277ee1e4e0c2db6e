package io.dendrite.ps;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * A directory of named files a checkpoint is written to or read from. Implementations decide where it
 * lives (a Hadoop path, a local folder) and how a write becomes visible atomically.
 */
public interface StateStore {

    /** Creates (or replaces) the file {@code name}. */
    OutputStream create(String name) throws IOException;

    /** Opens the file {@code name}; a missing file is a {@link java.io.FileNotFoundException}. */
    InputStream open(String name) throws IOException;

    /** The full name of {@code name}, for messages. */
    String describe(String name);
}
