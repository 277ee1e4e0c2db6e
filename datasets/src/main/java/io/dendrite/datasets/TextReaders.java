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
import org.apache.hadoop.mapred.FileSplit;
import org.apache.hadoop.mapred.FileInputFormat;
import org.apache.hadoop.mapred.InputSplit;
import org.apache.hadoop.mapred.JobConf;
import org.apache.hadoop.mapred.TextInputFormat;
import org.apache.spark.api.java.JavaHadoopRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import scala.Tuple2;

/**
 * CSV and LibSVM, read line by line through Hadoop's {@code TextInputFormat} (so large files split across
 * tasks, and {@code .gz} files decompress). A row is named by its file and line number; in a file over
 * 64 MiB, which is split across tasks, by the byte offset where its line starts.
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
        LineParser parser = (line, x, y, where) -> {
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
        return read(jsc, files, header, parser, featureIdx.length, options, "CSV " + paths);
    }

    /** Reads LibSVM files ({@code label index:value …}, 1-based ascending indices) into {@code width} features. */
    public static ShardedDataset libsvm(JavaSparkContext jsc, String paths, int width, ReadOptions options) {
        Checks.atLeast("LibSVM feature width", width, 1);
        List<Path> files = HadoopFiles.expand(jsc.hadoopConfiguration(), paths);
        LineParser parser = (line, x, y, where) -> {
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
        return read(jsc, files, null, parser, width, options, "LibSVM " + paths);
    }

    private static ShardedDataset read(JavaSparkContext jsc, List<Path> files, String header, LineParser parser,
                                       int featureWidth, ReadOptions options, String source) {
        JobConf job = new JobConf(jsc.hadoopConfiguration());
        FileInputFormat.setInputPaths(job, files.toArray(new Path[0]));
        // Files under 64 MiB stay whole, so their rows are named by exact line numbers.
        job.setLong(org.apache.hadoop.mapreduce.lib.input.FileInputFormat.SPLIT_MINSIZE, MIN_SPLIT_BYTES);
        @SuppressWarnings("unchecked")
        JavaHadoopRDD<LongWritable, Text> lines = (JavaHadoopRDD<LongWritable, Text>) jsc.hadoopRDD(job,
                TextInputFormat.class, LongWritable.class, Text.class, options.minPartitions());
        JavaRDD<ExampleBlock> blocks = lines.mapPartitionsWithInputSplit((split, it) ->
                new Packer(new LineSource(split, it, header, parser), featureWidth, 1, options.storage(),
                        options.blockRows(), options.policy()), false);
        return new ShardedDataset(blocks, featureWidth, 1, options, source);
    }

    /** The lines of one input split as rows. */
    private static final class LineSource implements RowSource {
        private final String file;
        private final boolean splitStartsFile;
        private final Iterator<Tuple2<LongWritable, Text>> lines;
        private final String header;
        private final LineParser parser;
        private long lineNo;
        private long offset;

        LineSource(InputSplit split, Iterator<Tuple2<LongWritable, Text>> lines, String header, LineParser parser) {
            FileSplit fs = (FileSplit) split;
            this.file = fs.getPath().toString();
            this.splitStartsFile = fs.getStart() == 0;
            this.lines = lines;
            this.header = header;
            this.parser = parser;
        }

        @Override
        public boolean next(float[] x, float[] y) {
            while (lines.hasNext()) {
                Tuple2<LongWritable, Text> t = lines.next();
                lineNo++;
                offset = t._1().get();
                String line = t._2().toString();
                if (offset == 0 && header != null) {
                    if (!line.equals(header)) {
                        throw new IllegalArgumentException(file + " line 1: header '" + line + "' differs from the "
                                + "first file's header '" + header + "'");
                    }
                    continue;
                }
                if (line.isBlank()) {
                    continue; // a blank line (e.g. the trailing newline) is not a row
                }
                parser.parse(line, x, y, where());
                return true;
            }
            return false;
        }

        @Override
        public String where() {
            return splitStartsFile ? file + " line " + lineNo : file + " line at byte " + offset;
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
