package io.dendrite.spark.cli;

import io.dendrite.core.data.FeatureScaler;
import io.dendrite.core.loss.Loss;
import io.dendrite.core.metrics.Metrics;
import io.dendrite.core.model.Model;
import io.dendrite.core.nn.NetworkSpec;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.LongAccumulator;

/**
 * The {@code score} job: reads CSV, Parquet or LibSVM, checks the feature columns against the model's
 * input width and types, and writes the id columns passed through plus {@code prediction} (class index
 * or value) and, for classifiers, one {@code probability_<class>} column per class, to Parquet or CSV.
 * Rows go through the kernel a block at a time, not one by one.
 */
final class ScoreJob {
    static final int BLOCK_ROWS = 4096;

    private ScoreJob() {
    }

    /** The command-line options, parsed. */
    record Options(String model, String input, String format, boolean header, String delimiter, int width,
                   List<String> idColumns, List<String> featureColumns, List<String> dropColumns, String output,
                   String outputFormat, boolean overwrite) {
    }

    static long run(SparkSession spark, Model model, Options o) {
        HadoopPaths.requireApart(spark.sparkContext().hadoopConfiguration(), "--output", o.output(), "--input", o.input(),
                "write the scores somewhere else");
        Dataset<Row> df = switch (o.format()) {
            case "csv" -> spark.read().option("header", o.header()).option("inferSchema", "true")
                    .option("sep", o.delimiter()).csv(o.input());
            case "parquet" -> spark.read().parquet(o.input());
            case "libsvm" -> spark.read().format("libsvm").option("numFeatures", o.width() > 0 ? o.width()
                    : model.spec().inputWidth()).load(o.input());
            default -> throw new JobConfigException("--format must be one of [csv, parquet, libsvm] but was '"
                    + o.format() + "'");
        };
        StructType schema = df.schema();
        List<String> names = List.of(df.columns());
        for (String c : concat(o.idColumns(), o.featureColumns(), o.dropColumns())) {
            if (!names.contains(c)) {
                throw new JobConfigException("column '" + c + "' is not in " + o.input() + "; its columns are " + names);
            }
        }
        List<String> features = new ArrayList<>(o.featureColumns());
        if (features.isEmpty()) {
            for (String c : names) {
                if (!o.idColumns().contains(c) && !o.dropColumns().contains(c)) {
                    features.add(c);
                }
            }
        }
        boolean vector = features.size() == 1 && schema.apply(features.get(0)).dataType() instanceof VectorUDT;
        int width = model.spec().inputWidth();
        if (!vector) {
            for (String c : features) {
                DataType t = schema.apply(c).dataType();
                if (!(t instanceof NumericType)) {
                    throw new JobConfigException("feature column '" + c + "' of " + o.input() + " has type "
                            + t.simpleString() + " but features must be numeric; name id columns with --id-columns and "
                            + "others to leave out with --drop-columns");
                }
            }
            if (features.size() != width) {
                throw new JobConfigException(o.input() + " has " + features.size() + " feature columns " + features
                        + " but the model expects " + width + " inputs");
            }
        }
        List<StructField> out = new ArrayList<>();
        for (String id : o.idColumns()) {
            out.add(schema.apply(id));
        }
        List<String> heads = outputColumns(model);
        for (String h : heads) {
            out.add(DataTypes.createStructField(h, DataTypes.DoubleType, false));
        }
        StructType outSchema = DataTypes.createStructType(out);
        List<String> selected = concat(o.idColumns(), features, List.of());
        Dataset<Row> in = df.selectExpr(selected.stream().map(c -> "`" + c + "`").toArray(String[]::new));
        org.apache.spark.api.java.JavaSparkContext jsc =
                org.apache.spark.api.java.JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<float[]> weights = jsc.broadcast(model.parameters());
        LongAccumulator scoredRows = jsc.sc().longAccumulator("rows scored");
        try {
            Scorer scorer = new Scorer(model.spec(), model.loss(), weights, model.scaler(), o.idColumns().size(),
                    vector ? 1 : width, width, vector, o.input(), scoredRows);
            JavaRDD<Row> rows = in.javaRDD().mapPartitions(scorer);
            spark.createDataFrame(rows, outSchema).write().mode(o.overwrite() ? "overwrite" : "errorifexists")
                    .option("header", "true").format(o.outputFormat()).save(o.output());
        } finally {
            weights.destroy(false);
        }
        return scoredRows.value();
    }

    /** {@code prediction} then a probability per class, or one prediction per output of a regression. */
    static List<String> outputColumns(Model model) {
        List<String> heads = new ArrayList<>();
        int outputs = model.spec().outputWidth();
        if (!model.loss().isClassification()) {
            if (outputs == 1) {
                heads.add("prediction");
            } else {
                for (int i = 0; i < outputs; i++) {
                    heads.add("prediction_" + i);
                }
            }
            return heads;
        }
        if (multiLabel(model.loss(), outputs)) {
            for (int i = 0; i < outputs; i++) {
                heads.add("prediction_" + i);
            }
            for (int i = 0; i < outputs; i++) {
                heads.add("probability_" + i);
            }
            return heads;
        }
        heads.add("prediction");
        int classes = outputs == 1 ? 2 : outputs;
        for (int k = 0; k < classes; k++) {
            heads.add("probability_" + (k < model.labels().size() ? model.labels().get(k) : String.valueOf(k))
                    .replaceAll("[^A-Za-z0-9_]", "_"));
        }
        return heads;
    }

    /** Several independent sigmoid outputs: one 0/1 prediction and one probability per output. */
    static boolean multiLabel(Loss loss, int outputs) {
        return loss instanceof io.dendrite.core.loss.Losses.BinaryCrossEntropy && outputs > 1;
    }

    private static List<String> concat(List<String> a, List<String> b, List<String> c) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        all.addAll(c);
        return all;
    }

    /** Scores one partition, a block of rows at a time. */
    static final class Scorer implements FlatMapFunction<Iterator<Row>, Row> {
        private static final long serialVersionUID = 1L;
        private final NetworkSpec spec;
        private final Loss loss;
        private final Broadcast<float[]> weights;
        private final FeatureScaler scaler;
        private final int ids;
        private final int featureColumns;
        private final int width;
        private final boolean vector;
        private final String source;
        private final LongAccumulator scoredRows;

        Scorer(NetworkSpec spec, Loss loss, Broadcast<float[]> weights, FeatureScaler scaler, int ids,
               int featureColumns, int width, boolean vector, String source, LongAccumulator scoredRows) {
            this.spec = spec;
            this.loss = loss;
            this.weights = weights;
            this.scaler = scaler;
            this.ids = ids;
            this.featureColumns = featureColumns;
            this.width = width;
            this.vector = vector;
            this.source = source;
            this.scoredRows = scoredRows;
        }

        @Override
        public Iterator<Row> call(Iterator<Row> it) {
            Model model = new Model(spec, loss, weights.value(), scaler, List.of(), Map.of());
            return new Iterator<>() {
                private final List<Row> block = new ArrayList<>(BLOCK_ROWS);
                private final float[] x = new float[BLOCK_ROWS * width];
                private List<Row> scored = List.of();
                private int next;
                private long seen;

                @Override
                public boolean hasNext() {
                    if (next < scored.size()) {
                        return true;
                    }
                    if (!it.hasNext()) {
                        return false;
                    }
                    block.clear();
                    while (block.size() < BLOCK_ROWS && it.hasNext()) {
                        Row r = it.next();
                        fill(r, block.size());
                        block.add(r);
                    }
                    scored = score(model, block, x);
                    next = 0;
                    return true;
                }

                @Override
                public Row next() {
                    if (!hasNext()) {
                        throw new NoSuchElementException();
                    }
                    return scored.get(next++);
                }

                private void fill(Row r, int i) {
                    long rowNo = seen++;
                    if (vector) {
                        Vector v = r.getAs(ids);
                        if (v == null || v.size() != width) {
                            throw new IllegalArgumentException(source + ": row " + rowNo + " of this partition has a "
                                    + "feature vector of size " + (v == null ? "null" : v.size()) + " but the model "
                                    + "expects " + width);
                        }
                        for (int c = 0; c < width; c++) {
                            x[i * width + c] = (float) v.apply(c);
                        }
                        return;
                    }
                    for (int c = 0; c < featureColumns; c++) {
                        Object value = r.get(ids + c);
                        if (value == null) {
                            throw new IllegalArgumentException(source + ": row " + rowNo + " of this partition has no "
                                    + "value in feature column " + r.schema().fieldNames()[ids + c]);
                        }
                        x[i * width + c] = ((Number) value).floatValue();
                    }
                }
            };
        }

        private List<Row> score(Model model, List<Row> block, float[] x) {
            int m = block.size();
            float[] raw = m * width == x.length ? x : java.util.Arrays.copyOf(x, m * width); // the model copies to scale
            scoredRows.add(m);
            float[] values;
            int per;
            float[] predictions = null;
            if (multiLabel(loss, spec.outputWidth())) {
                values = model.predictProba(raw, m);
                per = values.length / m;
                predictions = new float[m * per];
                for (int i = 0; i < predictions.length; i++) {
                    predictions[i] = values[i] >= 0.5f ? 1f : 0f;
                }
            } else if (loss.isClassification()) {
                values = model.predictProba(raw, m);
                per = values.length / m;
                int[] classes = Metrics.argmaxRows(values, per);
                predictions = new float[m];
                for (int i = 0; i < m; i++) {
                    predictions[i] = classes[i];
                }
            } else {
                values = model.predictOutputs(raw, m);
                per = values.length / m;
            }
            int predicted = predictions == null ? 0 : predictions.length / m;
            List<Row> out = new ArrayList<>(m);
            for (int i = 0; i < m; i++) {
                Object[] fields = new Object[ids + predicted + per];
                Row r = block.get(i);
                for (int c = 0; c < ids; c++) {
                    fields[c] = r.get(c);
                }
                int f = ids;
                for (int k = 0; k < predicted; k++) {
                    fields[f++] = (double) predictions[i * predicted + k];
                }
                for (int k = 0; k < per; k++) {
                    fields[f++] = (double) values[i * per + k];
                }
                out.add(RowFactory.create(fields));
            }
            return out;
        }
    }
}
