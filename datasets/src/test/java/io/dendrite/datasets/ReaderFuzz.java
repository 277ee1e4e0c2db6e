package io.dendrite.datasets;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * Fuzz targets of the readers of training and scoring files: a CSV or LibSVM line through the parsers the
 * jobs use, and an IDX file's header. Each must give a row (a header) or refuse with an
 * {@link IllegalArgumentException} that says why; anything else is a finding.
 */
public final class ReaderFuzz {
    private ReaderFuzz() {
    }

    /** A line of a CSV or LibSVM file. */
    public static final class TextLine {
        private TextLine() {
        }

        /** One input. */
        public static void fuzzerTestOneInput(FuzzedDataProvider data) {
            boolean libsvm = data.consumeBoolean();
            int width = data.consumeInt(1, 64);
            ReadOptions options = data.consumeBoolean() ? ReadOptions.classification(data.consumeInt(2, 10))
                    : ReadOptions.regression();
            TextReaders.LineParser parser;
            if (libsvm) {
                parser = TextReaders.libsvmParser(width, options);
            } else {
                int[] features = new int[width - 1];
                for (int i = 0; i < features.length; i++) {
                    features[i] = i + 1;
                }
                parser = TextReaders.csvParser(java.util.regex.Pattern.quote(data.consumeBoolean() ? "," : ";"),
                        width, features, 0, options);
            }
            float[] x = new float[width];
            float[] y = new float[1];
            try {
                parser.parse(data.consumeRemainingAsString(), x, y, "fuzz line 1");
            } catch (IllegalArgumentException e) {
                requireMessage(e);
            }
        }
    }

    /** An IDX file's header, as the driver reads it before any task. */
    public static final class IdxHeader {
        private static final java.nio.file.Path FILE;
        private static final Configuration CONF = new Configuration();

        static {
            try {
                FILE = Files.createTempFile("dendrite-fuzz", ".idx");
                FILE.toFile().deleteOnExit();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private IdxHeader() {
        }

        /** One input. */
        public static void fuzzerTestOneInput(byte[] bytes) throws IOException {
            Files.write(FILE, bytes);
            try {
                IdxReader.header(CONF, new Path(FILE.toUri()));
            } catch (IllegalArgumentException e) {
                requireMessage(e);
            }
        }
    }

    static void requireMessage(Exception e) {
        if (e.getMessage() == null || e.getMessage().isBlank()) {
            throw new IllegalStateException("a refusal without a message", e);
        }
    }
}
