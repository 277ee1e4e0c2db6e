package io.dendrite.datasets;

import io.dendrite.core.util.Checks;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/**
 * Parquet files and any Spark DataFrame: features from one vector column (dense or sparse) or from
 * numeric columns, the label from a numeric column.
 */
public final class FrameReader {
    private static final String FILE_COLUMN = "__dendrite_file";

    private FrameReader() {
    }

    /** Reads Parquet (paths, globs or directories, comma-separated); file names appear in row messages. */
    public static ShardedDataset parquet(SparkSession spark, String paths, List<String> featureCols, String labelCol,
                                        ReadOptions options) {
        List<String> files = HadoopFiles.expand(spark.sparkContext().hadoopConfiguration(), paths).stream()
                .map(Object::toString).toList();
        Dataset<Row> df = spark.read().parquet(files.toArray(new String[0]))
                .withColumn(FILE_COLUMN, functions.input_file_name());
        return frame(df, featureCols, labelCol, options, "Parquet " + paths);
    }

    /**
     * Reads a DataFrame: one vector column (its width taken from the first row) or several numeric
     * columns as features, and a numeric label column.
     */
    public static ShardedDataset frame(Dataset<Row> df, List<String> featureCols, String labelCol,
                                       ReadOptions options, String source) {
        Checks.checkArgument(featureCols != null && !featureCols.isEmpty(), "at least one feature column is required");
        List<String> names = List.of(df.columns());
        for (String c : featureCols) {
            Checks.checkArgument(names.contains(c), "%s has no column '%s'; it has %s", source, c, names);
        }
        Checks.checkArgument(names.contains(labelCol), "%s has no label column '%s'; it has %s", source, labelCol, names);
        boolean vector = featureCols.size() == 1
                && df.schema().apply(featureCols.get(0)).dataType() instanceof org.apache.spark.ml.linalg.VectorUDT;
        int width;
        if (vector) {
            List<Row> first = df.select(featureCols.get(0)).limit(1).collectAsList();
            if (first.isEmpty()) {
                throw new IllegalArgumentException("empty input: " + source + " has no rows");
            }
            width = ((Vector) first.get(0).get(0)).size();
        } else {
            width = featureCols.size();
        }
        boolean hasFile = names.contains(FILE_COLUMN);
        String[] cols = new String[featureCols.size() + (hasFile ? 2 : 1)];
        for (int i = 0; i < featureCols.size(); i++) {
            cols[i] = featureCols.get(i);
        }
        cols[featureCols.size()] = labelCol;
        if (hasFile) {
            cols[cols.length - 1] = FILE_COLUMN;
        }
        Dataset<Row> selected = df.select(cols[0], java.util.Arrays.copyOfRange(cols, 1, cols.length));
        int nFeatureCols = featureCols.size();
        List<String> featureNames = List.copyOf(featureCols);
        int fw = width;
        org.apache.spark.api.java.JavaRDD<ExampleBlock> blocks = selected.javaRDD().mapPartitionsWithIndex(
                (part, rows) -> new Packer(new RowsSource(rows, part, vector, fw, nFeatureCols, featureNames, labelCol,
                        hasFile, options), fw, 1, options.storage(), options.blockRows(), options.policy()), false);
        return new ShardedDataset(blocks, width, 1, options, source);
    }

    /** Rows of one partition. */
    private static final class RowsSource implements RowSource {
        private final Iterator<Row> rows;
        private final int partition;
        private final boolean vector;
        private final int width;
        private final int nFeatureCols;
        private final List<String> featureNames;
        private final String labelCol;
        private final boolean hasFile;
        private final ReadOptions options;
        private long index = -1;
        private String file = "";

        RowsSource(Iterator<Row> rows, int partition, boolean vector, int width, int nFeatureCols,
                   List<String> featureNames, String labelCol, boolean hasFile, ReadOptions options) {
            this.rows = rows;
            this.partition = partition;
            this.vector = vector;
            this.width = width;
            this.nFeatureCols = nFeatureCols;
            this.featureNames = featureNames;
            this.labelCol = labelCol;
            this.hasFile = hasFile;
            this.options = options;
        }

        @Override
        public boolean next(float[] x, float[] y) {
            if (!rows.hasNext()) {
                return false;
            }
            Row row = rows.next();
            index++;
            file = hasFile ? row.getString(row.length() - 1) + " " : "";
            if (vector) {
                Object v = row.get(0);
                if (v == null) {
                    throw new BadRowException(BadRowException.Problem.NOT_A_NUMBER,
                            where() + " column " + featureNames.get(0) + ": expected a vector but found null");
                }
                Vector vec = (Vector) v;
                if (vec.size() != width) {
                    throw new BadRowException(BadRowException.Problem.WRONG_FEATURE_COUNT,
                            where() + " column " + featureNames.get(0) + ": expected a vector of " + width
                                    + " features but found " + vec.size());
                }
                if (vec instanceof org.apache.spark.ml.linalg.SparseVector sv) {
                    java.util.Arrays.fill(x, 0f);
                    int[] idx = sv.indices();
                    double[] vals = sv.values();
                    for (int i = 0; i < idx.length; i++) {
                        x[idx[i]] = (float) vals[i];
                    }
                } else {
                    double[] vals = ((org.apache.spark.ml.linalg.DenseVector) vec).values();
                    for (int i = 0; i < width; i++) {
                        x[i] = (float) vals[i];
                    }
                }
            } else {
                for (int i = 0; i < nFeatureCols; i++) {
                    x[i] = number(row.get(i), featureNames.get(i));
                }
            }
            y[0] = number(row.get(nFeatureCols), labelCol);
            options.checkLabel(y[0], where() + " column " + labelCol);
            return true;
        }

        private float number(Object v, String column) {
            if (v instanceof Number n) {
                return n.floatValue();
            }
            throw new BadRowException(BadRowException.Problem.NOT_A_NUMBER,
                    where() + " column " + column + ": expected a number but found " + (v == null ? "null" : "'" + v + "'"));
        }

        @Override
        public String where() {
            return file + "partition " + partition + " record " + index;
        }
    }
}
