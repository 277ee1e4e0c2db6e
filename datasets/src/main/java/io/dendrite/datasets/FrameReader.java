package io.dendrite.datasets;

import io.dendrite.core.util.Checks;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import scala.Tuple2;

/**
 * Parquet files and any Spark DataFrame: features from one vector column (dense or sparse) or from
 * numeric columns ({@link RowFeatures}), the label from a numeric column. The rows are put into exactly
 * {@link ReadOptions#partitions()} partitions, each a contiguous run of a global order ({@link Rebalance}):
 * for Parquet, file by file (by path) and row by row within each file, whatever way Spark splits the
 * files; for another DataFrame, its own partitions' order.
 */
public final class FrameReader {
    private static final String FILE_COLUMN = "__dendrite_file";
    private static final String ROW_COLUMN = "__dendrite_row";

    private FrameReader() {
    }

    /** Reads Parquet (paths, globs or directories, comma-separated); rows are named by file and row index. */
    public static ShardedDataset parquet(SparkSession spark, String paths, List<String> featureCols, String labelCol,
                                        ReadOptions options) {
        List<String> files = HadoopFiles.expand(spark.sparkContext().hadoopConfiguration(), paths).stream()
                .map(Object::toString).toList();
        Dataset<Row> df = spark.read().parquet(files.toArray(new String[0]))
                .withColumn(FILE_COLUMN, functions.col("_metadata.file_path"))
                .withColumn(ROW_COLUMN, functions.col("_metadata.row_index"));
        return frame(df, featureCols, labelCol, options, "Parquet " + paths);
    }

    /**
     * Reads a DataFrame: one vector column (its width taken from the first row) or several numeric
     * columns as features, and a numeric label column.
     */
    public static ShardedDataset frame(Dataset<Row> df, List<String> featureCols, String labelCol,
                                       ReadOptions options, String source) {
        return frame(df, featureCols, labelCol, null, options, source);
    }

    /**
     * Reads a DataFrame as {@link #frame(Dataset, List, String, ReadOptions, String)} does, with a numeric
     * or (for several regression targets) vector label column, and, unless {@code weightCol} is null, a
     * numeric column of example weights, read as one more, last, target value per row (what
     * {@link io.dendrite.core.loss.Losses#weighted} losses take).
     */
    public static ShardedDataset frame(Dataset<Row> df, List<String> featureCols, String labelCol, String weightCol,
                                       ReadOptions options, String source) {
        Checks.checkArgument(featureCols != null && !featureCols.isEmpty(), "at least one feature column is required");
        List<String> names = List.of(df.columns());
        for (String c : featureCols) {
            Checks.checkArgument(names.contains(c), "%s has no column '%s'; it has %s", source, c, names);
        }
        Checks.checkArgument(names.contains(labelCol), "%s has no label column '%s'; it has %s", source, labelCol, names);
        Checks.checkArgument(weightCol == null || names.contains(weightCol), "%s has no weight column '%s'; it has %s",
                source, weightCol, names);
        boolean vector = featureCols.size() == 1
                && df.schema().apply(featureCols.get(0)).dataType() instanceof org.apache.spark.ml.linalg.VectorUDT;
        boolean vectorLabel = df.schema().apply(labelCol).dataType() instanceof org.apache.spark.ml.linalg.VectorUDT;
        Checks.checkArgument(!vectorLabel || !options.classification(), "%s: a classification label column ('%s') "
                + "holds class indices, not vectors", source, labelCol);
        int width = featureCols.size();
        int labels = 1;
        if (vector || vectorLabel) {
            List<Row> first = df.select(vector ? featureCols.get(0) : labelCol, labelCol).limit(1).collectAsList();
            if (first.isEmpty()) {
                throw new IllegalArgumentException("empty input: " + source + " has no rows");
            }
            width = vector ? ((Vector) first.get(0).get(0)).size() : width;
            labels = vectorLabel ? ((Vector) first.get(0).get(1)).size() : 1;
        }
        boolean files = names.contains(FILE_COLUMN) && names.contains(ROW_COLUMN);
        List<String> cols = new java.util.ArrayList<>(featureCols);
        cols.add(labelCol);
        if (weightCol != null) {
            cols.add(weightCol);
        }
        if (files) {
            cols.add(FILE_COLUMN);
            cols.add(ROW_COLUMN);
        }
        Dataset<Row> selected = df.select(cols.stream().map(functions::col).toArray(org.apache.spark.sql.Column[]::new));
        int values = cols.size() - (files ? 2 : 0);
        JavaPairRDD<Long, FrameRow> indexed;
        long total;
        if (files) {
            // Global order: files by path, rows by their index in the file; one small aggregation counts them.
            java.util.Map<String, Long> offsets = new java.util.HashMap<>();
            long sum = 0;
            for (Row r : df.groupBy(FILE_COLUMN).count().orderBy(FILE_COLUMN).collectAsList()) {
                offsets.put(r.getString(0), sum);
                sum += r.getLong(1);
            }
            total = sum;
            indexed = selected.javaRDD().mapToPair(r -> {
                String file = r.getString(values);
                long row = r.getLong(values + 1);
                return new Tuple2<>(offsets.get(file) + row, new FrameRow(file + " record " + row, prefix(r, values)));
            });
        } else {
            long[] counted = new long[1];
            JavaRDD<FrameRow> rows = selected.javaRDD().mapPartitionsWithIndex((part, it) -> new Iterator<FrameRow>() {
                private long index;

                @Override
                public boolean hasNext() {
                    return it.hasNext();
                }

                @Override
                public FrameRow next() {
                    return new FrameRow("partition " + part + " record " + index++, prefix(it.next(), values));
                }
            }, true);
            indexed = Rebalance.indexByPartition(rows, counted);
            total = counted[0];
        }
        RowFeatures features = new RowFeatures(vector, width, featureCols, 0);
        RowFeatures targets = vectorLabel ? new RowFeatures(true, labels, List.of(labelCol), featureCols.size()) : null;
        int labelIndex = featureCols.size();
        Targets read = new Targets(labelIndex, labelCol, targets, weightCol, labels);
        int targetWidth = labels + (weightCol == null ? 0 : 1);
        int featureWidth = width;
        JavaRDD<ExampleBlock> blocks = Rebalance.exactly(indexed, total, options.partitions()).mapPartitions(
                rows -> new Packer(new RowsSource(rows, features, read, options), featureWidth, targetWidth,
                        options.storage(), options.blockRows(), options.policy()));
        return new ShardedDataset(blocks, width, targetWidth, options, source);
    }

    private static Object[] prefix(Row r, int n) {
        Object[] out = new Object[n];
        for (int i = 0; i < n; i++) {
            out[i] = r.get(i);
        }
        return out;
    }

    /** One row on its way into a partition: where it came from, and its feature and label values. */
    record FrameRow(String where, Object[] values) implements java.io.Serializable {
    }

    /**
     * Where a row's targets are: the label at {@code labelIndex} (a number, or a vector of {@code labels}
     * values read by {@code vectorLabel}), then the weight, when there is a weight column, right after it.
     */
    private record Targets(int labelIndex, String labelCol, RowFeatures vectorLabel, String weightCol, int labels)
            implements java.io.Serializable {
    }

    /** The rows of one partition. */
    private static final class RowsSource implements RowSource {
        private final Iterator<FrameRow> rows;
        private final RowFeatures features;
        private final Targets targets;
        private final ReadOptions options;
        private String where = "(before the first row)";

        RowsSource(Iterator<FrameRow> rows, RowFeatures features, Targets targets, ReadOptions options) {
            this.rows = rows;
            this.features = features;
            this.targets = targets;
            this.options = options;
        }

        @Override
        public boolean next(float[] x, float[] y) {
            if (!rows.hasNext()) {
                return false;
            }
            FrameRow fr = rows.next();
            where = fr.where();
            Row row = RowFactory.create(fr.values());
            features.read(row, x, 0, where);
            Targets t = targets;
            if (t.vectorLabel() != null) {
                t.vectorLabel().read(row, y, 0, where);
            } else {
                y[0] = RowFeatures.number(row.get(t.labelIndex()), t.labelCol(), where);
                options.checkLabel(y[0], where + " column " + t.labelCol());
            }
            if (t.weightCol() != null) {
                float w = RowFeatures.number(row.get(t.labelIndex() + 1), t.weightCol(), where);
                if (w < 0) { // NaN and infinities: the packer refuses every target that is not finite
                    throw new BadRowException(BadRowException.Problem.BAD_WEIGHT, where + " column " + t.weightCol()
                            + ": expected an example weight >= 0 but found " + w);
                }
                y[t.labels()] = w;
            }
            return true;
        }

        @Override
        public String where() {
            return where;
        }
    }
}
