package io.dendrite.datasets;

import io.dendrite.core.util.Checks;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.LongWritable;
import org.apache.hadoop.io.Text;
import org.apache.hadoop.mapred.FileInputFormat;
import org.apache.hadoop.mapred.FileSplit;
import org.apache.hadoop.mapred.InputSplit;
import org.apache.hadoop.mapred.JobConf;
import org.apache.hadoop.mapred.TextInputFormat;
import org.apache.spark.api.java.JavaHadoopRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import scala.Tuple2;

/**
 * CSV and LibSVM, read line by line through Hadoop's {@code TextInputFormat} (so large files split across
 * tasks, and {@code .gz} files decompress), then put into exactly the configured number of partitions,
 * each a contiguous run of the lines in file order ({@link Rebalance}: one count of the lines, one
 * shuffle). A row is named by its file and line number; in a file over 64 MiB, which is split across
 * tasks, by the byte offset where its line starts.
 */
public final class TextReaders {
    private static final long MIN_SPLIT_BYTES = 64L << 20;

    private TextReaders() {
    }

    /** How to read a CSV file: header, delimiter, which column is the label and which are features. */
    public record CsvOptions(boolean header, char delimiter, String labelColumn, List<String> featureColumns)
            implements Serializable {
        /** Validates. */
        public CsvOptions {
            Checks.checkArgument(labelColumn != null && !labelColumn.isBlank(),
                    "CSV label column must be given, by name (with a header) or by 0-based index");
            featureColumns = featureColumns == null ? List.of() : List.copyOf(featureColumns);
        }

        /** Comma-separated with a header line, the label column by name, every other column a feature. */
        public static CsvOptions withHeader(String labelColumn) {
            return new CsvOptions(true, ',', labelColumn, List.of());
        }

        /** Without a header, the label column by 0-based index, every other column a feature. */
        public static CsvOptions noHeader(int labelIndex) {
            return new CsvOptions(false, ',', Integer.toString(labelIndex), List.of());
        }
    }

    /** Parses one line into a row; throws {@link BadRowException} naming {@code where}. */
    @FunctionalInterface
    interface LineParser extends Serializable {
        void parse(String line, float[] x, float[] y, String where);
    }

    /** Reads CSV files (paths, globs or directories, comma-separated) into packed blocks. */
    public static ShardedDataset csv(JavaSparkContext jsc, String paths, CsvOptions csv, ReadOptions options) {
        List<Path> files = HadoopFiles.expand(jsc.hadoopConfiguration(), paths);
        String first = firstLine(jsc, files.get(0));
        String delimiter = Pattern.quote(Character.toString(csv.delimiter()));
        String[] columns = first.split(delimiter, -1);
        int labelIdx = columnIndex(csv.labelColumn(), columns, csv.header(), files.get(0));
        List<Integer> feats = new ArrayList<>();
        if (csv.featureColumns().isEmpty()) {
            for (int c = 0; c < columns.length; c++) {
                if (c != labelIdx) {
                    feats.add(c);
                }
            }
        } else {
            for (String f : csv.featureColumns()) {
                feats.add(columnIndex(f, columns, csv.header(), files.get(0)));
            }
        }
        int[] featureIdx = feats.stream().mapToInt(Integer::intValue).toArray();
        int width = columns.length;
        String header = csv.header() ? first : null;
        return read(jsc, files, header, csvParser(delimiter, width, featureIdx, labelIdx, options), featureIdx.length,
                options, "CSV " + paths);
    }

    /** A CSV line of {@code width} fields: the features at {@code featureIdx}, the label at {@code labelIdx}. */
    static LineParser csvParser(String delimiter, int width, int[] featureIdx, int labelIdx, ReadOptions options) {
        return (line, x, y, where) -> {
            String[] fields = line.split(delimiter, -1);
            if (fields.length != width) {
                throw new BadRowException(BadRowException.Problem.WRONG_FEATURE_COUNT,
                        where + ": expected " + width + " fields but found " + fields.length);
            }
            for (int i = 0; i < featureIdx.length; i++) {
                x[i] = ReadOptions.parse(fields[featureIdx[i]], where + " column " + (featureIdx[i] + 1));
            }
            String labelWhere = where + " column " + (labelIdx + 1);
            y[0] = ReadOptions.parse(fields[labelIdx], labelWhere);
            options.checkLabel(y[0], labelWhere);
        };
    }

    /**
     * CSV read for scoring by the same rules training reads it (the same line reader, field splitting,
     * number parsing and row names): {@code frame} has the id columns as strings, passed through, then one
     * {@code features} vector column; {@code features} names the feature columns, which are every column
     * that is neither an id nor dropped unless {@code featureColumns} names them. Columns are named by the
     * header, or {@code _c0}, {@code _c1}, … without one. A bad row fails naming file, line, column,
     * expected and found: a row is never dropped from scoring.
     */
    public record ScoringCsv(org.apache.spark.sql.Dataset<org.apache.spark.sql.Row> frame, List<String> features) {
    }

    /** Reads {@code paths} as {@link ScoringCsv}. */
    public static ScoringCsv csvForScoring(org.apache.spark.sql.SparkSession spark, String paths, boolean header,
                                           char delimiter, List<String> idColumns, List<String> featureColumns,
                                           List<String> dropColumns) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        List<Path> files = HadoopFiles.expand(jsc.hadoopConfiguration(), paths);
        String first = firstLine(jsc, files.get(0));
        String split = Pattern.quote(Character.toString(delimiter));
        String[] fields = first.split(split, -1);
        String[] names = new String[fields.length];
        for (int c = 0; c < names.length; c++) {
            names[c] = header ? fields[c].trim() : "_c" + c;
        }
        int[] ids = indexes(idColumns, names, files.get(0));
        int[] drops = indexes(dropColumns, names, files.get(0));
        int[] feats;
        if (featureColumns.isEmpty()) {
            List<Integer> rest = new ArrayList<>();
            for (int c = 0; c < names.length; c++) {
                int col = c;
                if (java.util.Arrays.stream(ids).noneMatch(i -> i == col) && java.util.Arrays.stream(drops).noneMatch(
                        i -> i == col)) {
                    rest.add(c);
                }
            }
            feats = rest.stream().mapToInt(Integer::intValue).toArray();
        } else {
            feats = indexes(featureColumns, names, files.get(0));
        }
        List<String> featureNames = java.util.Arrays.stream(feats).mapToObj(c -> names[c]).toList();
        int width = names.length;
        String[] firstRow = header ? secondLine(jsc, files.get(0), split) : fields;
        if (firstRow != null && firstRow.length == width) {
            for (int c : feats) {
                try {
                    ReadOptions.parse(firstRow[c], "");
                } catch (BadRowException e) {
                    throw new IllegalArgumentException("feature column '" + names[c] + "' of " + files.get(0)
                            + " holds '" + firstRow[c] + "' in its first row, not a number; name id columns and the "
                            + "columns to leave out");
                }
            }
        }
        String headerLine = header ? first : null;
        org.apache.spark.api.java.JavaRDD<org.apache.spark.sql.Row> rows = lines(jsc, files, 1)
                .mapPartitionsWithInputSplit((inputSplit, it) -> {
                    Lines lines = new Lines(textLines(inputSplit, it), headerLine);
                    return new Iterator<org.apache.spark.sql.Row>() {
                        private Boolean ready;

                        @Override
                        public boolean hasNext() {
                            if (ready == null) {
                                ready = lines.advance();
                            }
                            return ready;
                        }

                        @Override
                        public org.apache.spark.sql.Row next() {
                            if (!hasNext()) {
                                throw new java.util.NoSuchElementException();
                            }
                            ready = null;
                            String where = lines.where();
                            String[] f = lines.line().split(split, -1);
                            if (f.length != width) {
                                throw new BadRowException(BadRowException.Problem.WRONG_FEATURE_COUNT,
                                        where + ": expected " + width + " fields but found " + f.length);
                            }
                            Object[] out = new Object[ids.length + 1];
                            for (int i = 0; i < ids.length; i++) {
                                out[i] = f[ids[i]];
                            }
                            double[] x = new double[feats.length];
                            for (int i = 0; i < feats.length; i++) {
                                x[i] = ReadOptions.parse(f[feats[i]], where + " column " + (feats[i] + 1));
                            }
                            out[ids.length] = new org.apache.spark.ml.linalg.DenseVector(x);
                            return org.apache.spark.sql.RowFactory.create(out);
                        }
                    };
                }, true);
        List<org.apache.spark.sql.types.StructField> schema = new ArrayList<>();
        for (int i : ids) {
            schema.add(org.apache.spark.sql.types.DataTypes.createStructField(names[i],
                    org.apache.spark.sql.types.DataTypes.StringType, false));
        }
        schema.add(org.apache.spark.sql.types.DataTypes.createStructField("features",
                new org.apache.spark.ml.linalg.VectorUDT(), false));
        return new ScoringCsv(spark.createDataFrame(rows, org.apache.spark.sql.types.DataTypes.createStructType(schema)),
                featureNames);
    }

    private static int[] indexes(List<String> columns, String[] names, Path file) {
        return columns.stream().mapToInt(c -> columnIndex(c, names, true, file)).toArray();
    }

    /** Reads LibSVM files ({@code label index:value …}, 1-based ascending indices) into {@code width} features. */
    public static ShardedDataset libsvm(JavaSparkContext jsc, String paths, int width, ReadOptions options) {
        Checks.atLeast("LibSVM feature width", width, 1);
        List<Path> files = HadoopFiles.expand(jsc.hadoopConfiguration(), paths);
        return read(jsc, files, null, libsvmParser(width, options), width, options, "LibSVM " + paths);
    }

    /** A LibSVM line ({@code label index:value …}, 1-based ascending indices) of {@code width} features. */
    static LineParser libsvmParser(int width, ReadOptions options) {
        return (line, x, y, where) -> {
            String[] tokens = line.trim().split("\\s+");
            java.util.Arrays.fill(x, 0f);
            y[0] = ReadOptions.parse(tokens[0], where + " label");
            options.checkLabel(y[0], where + " label");
            int previous = 0;
            for (int t = 1; t < tokens.length; t++) {
                String tok = tokens[t];
                int colon = tok.indexOf(':');
                if (colon <= 0) {
                    throw new BadRowException(BadRowException.Problem.NOT_A_NUMBER,
                            where + " token " + (t + 1) + ": expected index:value but found '" + tok + "'");
                }
                int index;
                try {
                    index = Integer.parseInt(tok.substring(0, colon));
                } catch (NumberFormatException e) {
                    throw new BadRowException(BadRowException.Problem.BAD_INDEX,
                            where + " token " + (t + 1) + ": expected an integer index but found '" + tok + "'");
                }
                if (index <= previous || index > width) {
                    throw new BadRowException(BadRowException.Problem.BAD_INDEX, where + " token " + (t + 1)
                            + ": index must be in [" + (previous + 1) + ", " + width + "] (1-based, ascending) but was "
                            + index);
                }
                x[index - 1] = ReadOptions.parse(tok.substring(colon + 1), where + " index " + index);
                previous = index;
            }
        };
    }

    private static ShardedDataset read(JavaSparkContext jsc, List<Path> files, String header, LineParser parser,
                                       int featureWidth, ReadOptions options, String source) {
        // Rows in file order, then exactly options.partitions() contiguous runs of them (Rebalance).
        JavaRDD<TextLine> ordered = lines(jsc, files, options.partitions())
                .mapPartitionsWithInputSplit(TextReaders::textLines, true)
                .filter(line -> isRow(line, header));
        long[] total = new long[1];
        JavaRDD<TextLine> runs = Rebalance.exactly(Rebalance.indexByPartition(ordered, total), total[0],
                options.partitions());
        JavaRDD<ExampleBlock> blocks = runs.mapPartitions(it -> new Packer(new LineSource(new Lines(it, null), parser),
                featureWidth, 1, options.storage(), options.blockRows(), options.policy()));
        return new ShardedDataset(blocks, featureWidth, 1, options, source);
    }

    /** The files' lines by Hadoop's TextInputFormat; a file under 64 MiB is one split, so rows have line numbers. */
    private static JavaHadoopRDD<LongWritable, Text> lines(JavaSparkContext jsc, List<Path> files, int partitions) {
        JobConf job = new JobConf(jsc.hadoopConfiguration());
        FileInputFormat.setInputPaths(job, files.toArray(new Path[0]));
        job.setLong(org.apache.hadoop.mapreduce.lib.input.FileInputFormat.SPLIT_MINSIZE, MIN_SPLIT_BYTES);
        @SuppressWarnings("unchecked")
        JavaHadoopRDD<LongWritable, Text> lines = (JavaHadoopRDD<LongWritable, Text>) jsc.hadoopRDD(job,
                TextInputFormat.class, LongWritable.class, Text.class, partitions);
        return lines;
    }

    /**
     * One line of a text file with where it is: its file, the byte offset where it starts, and its line
     * number when its split started the file (a file over 64 MiB is split across tasks; then only the
     * offset is known).
     */
    record TextLine(String file, long offset, long lineNo, boolean numbered, String text) implements Serializable {
        String where() {
            return numbered ? file + " line " + lineNo : file + " line at byte " + offset;
        }
    }

    /**
     * True when {@code line} holds a row: not blank and not a file's header line; a header line that differs
     * from the first file's fails naming the file.
     */
    private static boolean isRow(TextLine line, String header) {
        if (line.offset() == 0 && header != null) {
            if (!line.text().equals(header)) {
                throw new IllegalArgumentException(line.file() + " line 1: header '" + line.text()
                        + "' differs from the first file's header '" + header + "'");
            }
            return false;
        }
        return !line.text().isBlank();
    }

    /** The lines of one input split as {@link TextLine}s, lazily. */
    private static Iterator<TextLine> textLines(InputSplit split, Iterator<Tuple2<LongWritable, Text>> lines) {
        FileSplit fs = (FileSplit) split;
        String file = fs.getPath().toString();
        boolean numbered = fs.getStart() == 0;
        return new Iterator<>() {
            private long lineNo;

            @Override
            public boolean hasNext() {
                return lines.hasNext();
            }

            @Override
            public TextLine next() {
                Tuple2<LongWritable, Text> t = lines.next();
                return new TextLine(file, t._1().get(), ++lineNo, numbered, t._2().toString());
            }
        };
    }

    /** The lines that hold rows (no header, no blank line). */
    private static final class Lines {
        private final Iterator<TextLine> lines;
        private final String header;
        private TextLine line;

        Lines(Iterator<TextLine> lines, String header) {
            this.lines = lines;
            this.header = header;
        }

        /** Moves to the next row's line; false at the end. */
        boolean advance() {
            while (lines.hasNext()) {
                line = lines.next();
                if (isRow(line, header)) {
                    return true;
                }
            }
            return false;
        }

        String line() {
            return line.text();
        }

        String where() {
            return line == null ? "(before the first line)" : line.where();
        }
    }

    /** The lines of one input split as training rows. */
    private static final class LineSource implements RowSource {
        private final Lines lines;
        private final LineParser parser;

        LineSource(Lines lines, LineParser parser) {
            this.lines = lines;
            this.parser = parser;
        }

        @Override
        public boolean next(float[] x, float[] y) {
            if (!lines.advance()) {
                return false;
            }
            parser.parse(lines.line(), x, y, lines.where());
            return true;
        }

        @Override
        public String where() {
            return lines.where();
        }
    }

    private static int columnIndex(String column, String[] headerOrFirstRow, boolean header, Path file) {
        if (header) {
            for (int c = 0; c < headerOrFirstRow.length; c++) {
                if (headerOrFirstRow[c].trim().equals(column)) {
                    return c;
                }
            }
        }
        try {
            int index = Integer.parseInt(column);
            Checks.checkArgument(index >= 0 && index < headerOrFirstRow.length,
                    "%s: column index %s is outside the %s columns", file, index, headerOrFirstRow.length);
            return index;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(file + ": no column named '" + column + "'"
                    + (header ? "; the header has " + java.util.Arrays.toString(headerOrFirstRow)
                    : "; without a header, name columns by 0-based index"));
        }
    }

    /** The fields of the second line of {@code file} split by {@code delimiter}, or null when it has none. */
    private static String[] secondLine(JavaSparkContext jsc, Path file, String delimiter) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(
                HadoopFiles.open(jsc.hadoopConfiguration(), file), StandardCharsets.UTF_8))) {
            r.readLine();
            String line = r.readLine();
            return line == null || line.isBlank() ? null : line.split(delimiter, -1);
        } catch (IOException e) {
            throw new UncheckedIOException("reading the second line of " + file, e);
        }
    }

    private static String firstLine(JavaSparkContext jsc, Path file) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(
                HadoopFiles.open(jsc.hadoopConfiguration(), file), StandardCharsets.UTF_8))) {
            String line = r.readLine();
            if (line == null) {
                throw new IllegalArgumentException("empty input: " + file + " has no lines");
            }
            return line;
        } catch (IOException e) {
            throw new UncheckedIOException("reading the first line of " + file, e);
        }
    }
}
