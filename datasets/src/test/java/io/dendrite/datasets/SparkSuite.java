package io.dendrite.datasets;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.apache.spark.SparkConf;

/**
 * The base of Spark test suites: a shared session (one per suite, {@link SharedSpark}) on {@code local[2]}.
 */
public abstract class SparkSuite extends SharedSpark {

    @Override
    public SparkConf conf() {
        return new SparkConf().setMaster("local[2]").setAppName(getClass().getSimpleName())
                .set("spark.ui.enabled", "false")
                .set("spark.sql.shuffle.partitions", "4")
                .set("spark.driver.host", "127.0.0.1");
    }

    /** A fresh temporary directory. */
    protected static Path newTempDir() {
        try {
            return Files.createTempDirectory("dendrite-test");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes {@code text} to {@code file}, gzip-compressed when the name ends in {@code .gz}. */
    protected static Path write(Path file, String text) {
        try (OutputStream out = file.toString().endsWith(".gz")
                ? new GZIPOutputStream(Files.newOutputStream(file)) : Files.newOutputStream(file)) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The innermost message in the cause chain of a failure that travelled through a Spark job. */
    protected static String rootMessage(Throwable t) {
        String message = t.getMessage();
        for (Throwable c = t.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
            if (c.getMessage() != null) {
                message = c.getMessage();
            }
        }
        return message;
    }
}
