package io.dendrite.spark.ml;

import io.dendrite.core.model.Model;
import io.dendrite.datasets.RowFeatures;
import io.dendrite.spark.BlockScorer;
import io.dendrite.spark.SqlInternals;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.expressions.JoinedRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeProjection;
import org.apache.spark.sql.catalyst.expressions.UnsafeArrayData;
import org.apache.spark.sql.types.StructType;

/**
 * {@code transform} for the Dendrite models: each partition is scored a block of rows at a time through
 * the kernel ({@link BlockScorer}) on Spark's internal rows: the features are read straight from the
 * vector column's storage into the block (dense or sparse, never made a {@code Vector} first), and each
 * input row passes through as its bytes, with the model's columns after it. A row whose features cannot
 * be read (null, or a vector of another width) fails the job with a message naming the row and the column.
 * A streaming input is scored by the same blocks through the Dataset API, on external rows.
 */
final class Scoring {
    /** {@code VectorUDT}'s storage: a struct of type (0 sparse, 1 dense), size, indices, values. */
    private static final int VECTOR_FIELDS = 4;
    private static final byte DENSE = 1;

    private Scoring() {
    }

    /** {@code dataset} with {@code out}'s columns appended; {@code outSchema} is the input's plus those. */
    static Dataset<Row> transform(Dataset<?> dataset, Model model, String featuresCol, Extra out, StructType outSchema,
                                  String stage, String handleInvalid) {
        BlockScorer.Invalid invalid = BlockScorer.Invalid.valueOf(handleInvalid.toUpperCase(java.util.Locale.ROOT));
        Dataset<Row> df = dataset.toDF();
        int index = List.of(df.columns()).indexOf(featuresCol);
        int width = model.spec().inputWidth();
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(df.sparkSession().sparkContext());
        // Broadcast once per transform; the DataFrame may be computed many times, so it is never destroyed
        // here: Spark's cleaner removes it once the DataFrame is gone.
        Broadcast<float[]> weights = jsc.broadcast(model.parameters());
        RowFeatures features = new RowFeatures(true, width, List.of(featuresCol), index);
        if (df.isStreaming()) {
            // A stream has no RDD to score: the same blocks, through the Dataset API, on external rows.
            BlockScorer<Row> scorer = new BlockScorer<>(model.spec(), model.loss(), weights, model.scaler(),
                    model.labels(), features::read, width, r -> r, stage + " input", null, null, new External(out))
                    .handlingInvalid(invalid);
            return df.mapPartitions((MapPartitionsFunction<Row, Row>) scorer::call, Encoders.row(outSchema));
        }
        BlockScorer<InternalRow> scorer = new BlockScorer<>(model.spec(), model.loss(), weights, model.scaler(),
                model.labels(), features::readStored, width, InternalRow::copy, stage + " input", null, null,
                new Appended(out, outSchema)).handlingInvalid(invalid);
        JavaRDD<InternalRow> rows = SqlInternals.rows(df).toJavaRDD().mapPartitions(scorer);
        return SqlInternals.frame(df.sparkSession(), rows.rdd(), outSchema);
    }

    /** The values a model appends to a block's rows, in Spark's internal form. */
    interface Extra extends java.io.Serializable {
        /** One array of appended values per row of the block, whose raw features are {@code x}. */
        Object[][] values(Model model, int rows, float[] x);
    }

    /** Each input row's bytes followed by the extra values, as one unsafe row. */
    private static final class Appended implements BlockScorer.Output<InternalRow> {
        private static final long serialVersionUID = 1L;
        private final Extra extra;
        private final StructType schema;
        private transient UnsafeProjection project;

        Appended(Extra extra, StructType schema) {
            this.extra = extra;
            this.schema = schema;
        }

        /**
         * The block's output rows, each made when it is taken, into the projection's one buffer: as Spark's
         * own operators do, the row is valid until the next is taken (a consumer that keeps rows copies them).
         */
        @Override
        public List<InternalRow> rows(Model model, List<InternalRow> block, float[] x, java.util.BitSet invalid) {
            if (project == null) {
                project = UnsafeProjection.create(schema);
            }
            Object[][] values = notANumber(extra.values(model, block.size(), x), invalid);
            JoinedRow joined = new JoinedRow();
            return new java.util.AbstractList<>() {
                @Override
                public InternalRow get(int i) {
                    return project.apply(joined.apply(block.get(i), new GenericInternalRow(values[i])));
                }

                @Override
                public int size() {
                    return block.size();
                }
            };
        }
    }

    /** Each input row followed by the extra values, as an external row (vectors as {@code DenseVector}s). */
    private record External(Extra extra) implements BlockScorer.Output<Row> {
        @Override
        public List<Row> rows(Model model, List<Row> block, float[] x, java.util.BitSet invalid) {
            Object[][] values = notANumber(extra.values(model, block.size(), x), invalid);
            List<Row> out = new ArrayList<>(block.size());
            for (int i = 0; i < block.size(); i++) {
                Row in = block.get(i);
                Object[] all = new Object[in.length() + values[i].length];
                for (int c = 0; c < in.length(); c++) {
                    all[c] = in.get(c);
                }
                for (int k = 0; k < values[i].length; k++) {
                    Object v = values[i][k];
                    all[in.length() + k] = v instanceof InternalRow stored
                            ? new org.apache.spark.ml.linalg.DenseVector(stored.getArray(3).toDoubleArray()) : v;
                }
                out.add(RowFactory.create(all));
            }
            return out;
        }
    }

    /**
     * One row's features for the single-row predictions, by the rules {@code transform} reads a row by: the
     * model's width, every value finite (whatever handleInvalid says: one row has no row to leave out).
     */
    static float[] floats(String stage, org.apache.spark.ml.linalg.Vector features, int width) {
        float[] x = new float[width];
        new RowFeatures(true, width, List.of("features"), 0).read(RowFactory.create(features), x, 0, stage + " input");
        return x;
    }

    /** {@code values} with every value of the rows set in {@code invalid} NaN (handleInvalid 'keep'). */
    private static Object[][] notANumber(Object[][] values, java.util.BitSet invalid) {
        for (int i = invalid.nextSetBit(0); i >= 0; i = invalid.nextSetBit(i + 1)) {
            for (int k = 0; k < values[i].length; k++) {
                if (values[i][k] instanceof InternalRow stored) {
                    float[] nan = new float[stored.getArray(3).numElements()];
                    java.util.Arrays.fill(nan, Float.NaN);
                    values[i][k] = storedVector(nan, 0, nan.length);
                } else {
                    values[i][k] = Double.NaN;
                }
            }
        }
        return values;
    }

    /** Row {@code i} of a row-major float matrix of width {@code n}, as a dense vector of doubles. */
    static org.apache.spark.ml.linalg.DenseVector vector(float[] m, int i, int n) {
        double[] v = new double[n];
        for (int k = 0; k < n; k++) {
            v[k] = m[i * n + k];
        }
        return new org.apache.spark.ml.linalg.DenseVector(v);
    }

    /** Row {@code i} of a row-major float matrix as a dense vector in {@code VectorUDT}'s storage. */
    private static InternalRow storedVector(float[] m, int i, int n) {
        double[] v = new double[n];
        for (int k = 0; k < n; k++) {
            v[k] = m[i * n + k];
        }
        GenericInternalRow row = new GenericInternalRow(VECTOR_FIELDS);
        row.setByte(0, DENSE);
        row.setNullAt(1);
        row.setNullAt(2);
        row.update(3, UnsafeArrayData.fromPrimitiveArray(v));
        return row;
    }

    /**
     * A classifier's columns, in the order MLlib's classifiers append them — rawPrediction (the logits),
     * probability, prediction — each left out when its column name is empty. With {@code thresholds},
     * the prediction is the class of largest probability / threshold, as in Spark.
     */
    record ClassifierOutput(boolean raw, boolean probability, boolean prediction, double[] thresholds) implements Extra {
        @Override
        public Object[][] values(Model model, int m, float[] x) {
            int n = model.spec().outputWidth();
            float[][] lp = model.predictLogitsAndProba(x, m);
            Object[][] out = new Object[m][];
            List<Object> extra = new ArrayList<>(3);
            for (int i = 0; i < m; i++) {
                extra.clear();
                if (raw) {
                    extra.add(storedVector(lp[0], i, n));
                }
                if (probability) {
                    extra.add(storedVector(lp[1], i, n));
                }
                if (prediction) {
                    extra.add(predict(lp[1], i, n));
                }
                out[i] = extra.toArray();
            }
            return out;
        }

        private double predict(float[] p, int row, int n) {
            int best = 0;
            double bestValue = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < n; k++) {
                double v = p[row * n + k];
                if (thresholds != null) {
                    v = thresholds[k] == 0 ? Double.POSITIVE_INFINITY : v / thresholds[k];
                }
                if (v > bestValue) {
                    bestValue = v;
                    best = k;
                }
            }
            return best;
        }
    }

    /** A regression's prediction: a double for one output, a vector for several. */
    record RegressionOutput(boolean vector) implements Extra {
        @Override
        public Object[][] values(Model model, int m, float[] x) {
            int n = model.spec().outputWidth();
            float[] values = model.predictOutputs(x, m);
            Object[][] out = new Object[m][];
            for (int i = 0; i < m; i++) {
                out[i] = new Object[] {vector ? storedVector(values, i, n) : (Object) (double) values[i]};
            }
            return out;
        }
    }
}
