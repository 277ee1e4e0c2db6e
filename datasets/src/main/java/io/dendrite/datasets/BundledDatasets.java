package io.dendrite.datasets;

import io.dendrite.core.data.Dataset;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPInputStream;

/**
 * Loads the bundled datasets by name: {@code digits}, {@code iris}, {@code breast_cancer} and
 * {@code diabetes}, copied from the data files scikit-learn 1.2.1 ships (see the {@code .rst} provenance
 * file beside each). Parsing is strict: a malformed line fails naming the resource, line, column and value.
 */
public final class BundledDatasets {
    /** The names {@link #load} accepts. */
    public static final List<String> NAMES = List.of("digits", "iris", "breast_cancer", "diabetes");
    private static final String ROOT = "/io/dendrite/datasets/bundled/";

    private BundledDatasets() {
    }

    /** Loads the dataset called {@code name}. */
    public static BundledDataset load(String name) {
        String key = name.toLowerCase(Locale.ROOT).replace('-', '_');
        return switch (key) {
            case "digits" -> classification(key, "digits.csv.gz", 64, false,
                    List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"));
            case "iris" -> classification(key, "iris.csv", 4, true, null);
            case "breast_cancer" -> classification(key, "breast_cancer.csv", 30, true, null);
            case "diabetes" -> diabetes();
            default -> throw new IllegalArgumentException("unknown bundled dataset '" + name + "'; expected one of "
                    + NAMES);
        };
    }

    /** Loads the dataset called {@code name} onto Spark, spread over {@code partitions} partitions. */
    public static ShardedDataset onSpark(org.apache.spark.api.java.JavaSparkContext jsc, String name, int partitions) {
        BundledDataset d = load(name);
        ReadOptions options = d.isClassification() ? ReadOptions.classification(d.classNames().size())
                : ReadOptions.regression();
        return ShardedDataset.parallelize(jsc, d.data(), partitions, options, "bundled " + d.name());
    }

    /**
     * Parses a labelled CSV: {@code width} features then an integer label per line; with {@code header},
     * the first line is {@code rows,width,className…} as scikit-learn ships it.
     */
    static BundledDataset parseLabelled(String name, String source, List<String> lines, int width, boolean header,
                                        List<String> classNames) {
        int first = 0;
        List<String> names = classNames;
        int expectedRows = -1;
        if (header) {
            String[] h = lines.get(0).split(",");
            if (h.length < 4) {
                throw new IllegalStateException(source + " line 1: expected 'rows,features,class names...' but found '"
                        + lines.get(0) + "'");
            }
            expectedRows = parseInt(h[0], source, 1, 1);
            int declaredWidth = parseInt(h[1], source, 1, 2);
            if (declaredWidth != width) {
                throw new IllegalStateException(source + " line 1: declares " + declaredWidth + " features but "
                        + width + " were expected");
            }
            names = List.of(Arrays.copyOfRange(h, 2, h.length));
            first = 1;
        }
        int rows = lines.size() - first;
        if (expectedRows >= 0 && rows != expectedRows) {
            throw new IllegalStateException(source + ": header declares " + expectedRows + " rows but " + rows
                    + " follow");
        }
        float[] x = new float[rows * width];
        float[] y = new float[rows];
        for (int r = 0; r < rows; r++) {
            int lineNo = first + r + 1;
            float[] values = parseRow(lines.get(first + r), ",", width + 1, source, lineNo);
            System.arraycopy(values, 0, x, r * width, width);
            float label = values[width];
            if (label != Math.rint(label) || label < 0 || label >= names.size()) {
                throw new IllegalStateException(source + " line " + lineNo + " column " + (width + 1)
                        + ": label must be an integer in [0, " + names.size() + ") but was " + fieldText(label));
            }
            y[r] = label;
        }
        return new BundledDataset(name, Dataset.of(x, width, y, 1), names, provenance(name));
    }

    private static BundledDataset classification(String name, String file, int width, boolean header,
                                                 List<String> classNames) {
        return parseLabelled(name, file, readLines(file), width, header, classNames);
    }

    private static BundledDataset diabetes() {
        String dataFile = "diabetes_data_raw.csv.gz";
        String targetFile = "diabetes_target.csv.gz";
        List<String> dataLines = readLines(dataFile);
        List<String> targetLines = readLines(targetFile);
        if (dataLines.size() != targetLines.size()) {
            throw new IllegalStateException(dataFile + " has " + dataLines.size() + " rows but " + targetFile
                    + " has " + targetLines.size());
        }
        int width = 10;
        int rows = dataLines.size();
        float[] x = new float[rows * width];
        float[] y = new float[rows];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(parseRow(dataLines.get(r), " ", width, dataFile, r + 1), 0, x, r * width, width);
            y[r] = parseRow(targetLines.get(r), " ", 1, targetFile, r + 1)[0];
        }
        return new BundledDataset("diabetes", Dataset.of(x, width, y, 1), List.of(), provenance("diabetes"));
    }

    static float[] parseRow(String line, String delimiter, int width, String source, int lineNo) {
        String[] fields = line.trim().split(delimiter.equals(" ") ? "\\s+" : delimiter, -1);
        if (fields.length != width) {
            throw new IllegalStateException(source + " line " + lineNo + ": expected " + width + " fields but found "
                    + fields.length);
        }
        float[] out = new float[width];
        for (int c = 0; c < width; c++) {
            try {
                out[c] = Float.parseFloat(fields[c]);
            } catch (NumberFormatException e) {
                throw new IllegalStateException(source + " line " + lineNo + " column " + (c + 1)
                        + ": expected a number but found '" + fields[c] + "'", e);
            }
            if (!Float.isFinite(out[c])) {
                throw new IllegalStateException(source + " line " + lineNo + " column " + (c + 1)
                        + ": expected a finite number but found '" + fields[c] + "'");
            }
        }
        return out;
    }

    private static String fieldText(float v) {
        return v == Math.rint(v) ? Integer.toString((int) v) : Float.toString(v);
    }

    private static int parseInt(String s, String source, int line, int column) {
        try {
            return Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            throw new IllegalStateException(source + " line " + line + " column " + column
                    + ": expected an integer but found '" + s + "'", e);
        }
    }

    private static List<String> readLines(String file) {
        InputStream raw = BundledDatasets.class.getResourceAsStream(ROOT + file);
        if (raw == null) {
            throw new IllegalStateException("bundled resource " + ROOT + file + " is missing from the classpath");
        }
        try (InputStream in = file.endsWith(".gz") ? new GZIPInputStream(raw) : raw;
             BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            List<String> lines = new ArrayList<>();
            for (String l = reader.readLine(); l != null; l = reader.readLine()) {
                if (!l.isBlank()) {
                    lines.add(l);
                }
            }
            return lines;
        } catch (IOException e) {
            throw new UncheckedIOException("reading bundled resource " + ROOT + file, e);
        }
    }

    private static String provenance(String name) {
        String file = name + ".rst";
        try (InputStream in = BundledDatasets.class.getResourceAsStream(ROOT + file)) {
            if (in == null) {
                throw new IllegalStateException("bundled provenance file " + ROOT + file + " is missing");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("reading bundled resource " + ROOT + file, e);
        }
    }
}
