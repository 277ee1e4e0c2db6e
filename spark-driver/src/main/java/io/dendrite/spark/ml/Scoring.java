package io.dendrite.spark.ml;

import io.dendrite.core.model.Model;
import io.dendrite.datasets.RowFeatures;
import io.dendrite.spark.BlockScorer;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.linalg.DenseVector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;

/**
 * {@code transform} for the Dendrite models: each partition is scored a block of rows at a time through
 * the kernel ({@link BlockScorer}), each input row passed through whole with the model's columns after it.
 * Sparse feature vectors are read straight into the block, never densified as vectors first. A row whose
 * features cannot be read (null, or a vector of another width) fails the job with a message naming the row
 * and the column.
 */
final class Scoring {
    private Scoring() {
    }

    /** {@code dataset} with {@code out}'s columns appended; {@code outSchema} is the input's plus those. */
    static Dataset<Row> transform(Dataset<?> dataset, Model model, String featuresCol, BlockScorer.Output out,
                                  StructType outSchema, String stage) {
        Dataset<Row> df = dataset.toDF();
        int index = List.of(df.columns()).indexOf(featuresCol);
        int width = model.spec().inputWidth();
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(df.sparkSession().sparkContext());
        // Broadcast once per transform; the DataFrame may be computed many times, so it is never destroyed
        // here: Spark's cleaner removes it once the DataFrame is gone.
        Broadcast<float[]> weights = jsc.broadcast(model.parameters());
        BlockScorer scorer = new BlockScorer(model.spec(), model.loss(), weights, model.scaler(), model.labels(),
                new RowFeatures(true, width, List.of(featuresCol), index), stage + " input", null, null, out);
        JavaRDD<Row> rows = df.javaRDD().mapPartitions(scorer);
        return df.sparkSession().createDataFrame(rows, outSchema);
    }

    /** The input row's values followed by {@code extra}. */
    static Row append(Row in, Object... extra) {
        Object[] fields = new Object[in.length() + extra.length];
        for (int i = 0; i < in.length(); i++) {
            fields[i] = in.get(i);
        }
        System.arraycopy(extra, 0, fields, in.length(), extra.length);
        return RowFactory.create(fields);
    }

    /** Row {@code i} of a row-major float matrix of width {@code n}, as a dense vector of doubles. */
    static DenseVector vector(float[] m, int i, int n) {
        double[] v = new double[n];
        for (int k = 0; k < n; k++) {
            v[k] = m[i * n + k];
        }
        return new DenseVector(v);
    }

    /**
     * A classifier's columns, in the order MLlib's classifiers append them — rawPrediction (the logits),
     * probability, prediction — each left out when its column name is empty. With {@code thresholds},
     * the prediction is the class of largest probability / threshold, as in Spark.
     */
    record ClassifierOutput(boolean raw, boolean probability, boolean prediction, double[] thresholds)
            implements BlockScorer.Output {
        @Override
        public List<Row> rows(Model model, List<Row> block, float[] x) {
            int m = block.size();
            int n = model.spec().outputWidth();
            float[][] lp = model.predictLogitsAndProba(x, m);
            List<Row> out = new ArrayList<>(m);
            List<Object> extra = new ArrayList<>(3);
            for (int i = 0; i < m; i++) {
                extra.clear();
                if (raw) {
                    extra.add(vector(lp[0], i, n));
                }
                DenseVector p = vector(lp[1], i, n);
                if (probability) {
                    extra.add(p);
                }
                if (prediction) {
                    extra.add(predict(p.values()));
                }
                out.add(append(block.get(i), extra.toArray()));
            }
            return out;
        }

        private double predict(double[] p) {
            int best = 0;
            double bestValue = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < p.length; k++) {
                double v = thresholds == null ? p[k] : thresholds[k] == 0 ? Double.POSITIVE_INFINITY : p[k] / thresholds[k];
                if (v > bestValue) {
                    bestValue = v;
                    best = k;
                }
            }
            return best;
        }
    }

    /** A regression's prediction: a double for one output, a vector for several. */
    record RegressionOutput(boolean vector) implements BlockScorer.Output {
        @Override
        public List<Row> rows(Model model, List<Row> block, float[] x) {
            int m = block.size();
            int n = model.spec().outputWidth();
            float[] values = model.predictOutputs(x, m);
            List<Row> out = new ArrayList<>(m);
            for (int i = 0; i < m; i++) {
                out.add(append(block.get(i), vector ? Scoring.vector(values, i, n) : (Object) (double) values[i]));
            }
            return out;
        }
    }
}
