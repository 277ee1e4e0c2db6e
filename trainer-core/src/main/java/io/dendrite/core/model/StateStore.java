package io.dendrite.core.model;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * A directory of named files that models and checkpoints are written to and read from. Implementations
 * decide where it lives (a local folder here, a Hadoop path in the Spark modules) and how a write
 * becomes visible atomically.
 */
public interface StateStore {

    /** Creates (or replaces) the file {@code name}. */
    OutputStream create(String name) throws IOException;

    /** Opens the file {@code name}; a missing file is a {@link FileNotFoundException}. */
    InputStream open(String name) throws IOException;

    /** The full name of {@code name}, for messages. */
    String describe(String name);

    /** A store over the local directory {@code dir}. */
    static StateStore local(Path dir) {
        return new StateStore() {
            @Override
            public OutputStream create(String name) throws IOException {
                return Files.newOutputStream(dir.resolve(name));
            }

            @Override
            public InputStream open(String name) throws IOException {
                try {
                    return Files.newInputStream(dir.resolve(name));
                } catch (NoSuchFileException e) {
                    throw new FileNotFoundException(describe(name));
                }
            }

            @Override
            public String describe(String name) {
                return dir.resolve(name).toString();
            }
        };
    }
}
