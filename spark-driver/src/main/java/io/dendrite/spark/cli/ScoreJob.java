package io.dendrite.spark.cli;

import io.dendrite.core.model.Model;
import io.dendrite.datasets.RowFeatures;
import io.dendrite.datasets.TextReaders;
import io.dendrite.spark.BlockScorer;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.CollectionAccumulator;
import org.apache.spark.util.LongAccumulator;

/**
 * The {@code score} job: reads CSV, Parquet or LibSVM, checks the feature columns against the model's
 * input width and types, and writes the id columns passed through plus {@code prediction} (class index
 * or value) and, for classifiers, one {@code probability_<class>} column per class, to Parquet or CSV.
 * Rows go through the kernel a block at a time, not one by one.
 */
final class ScoreJob {

    private ScoreJob() {
    }

    /** The command-line options, parsed. */
    record Options(String model, String input, String format, boolean header, String delimiter, int width,
                   List<String> idColumns, List<String> featureColumns, List<String> dropColumns, String output,
                   String outputFormat, boolean overwrite) {
    }

    static long run(SparkSession spark, Model model, Options o) {
        org.apache.hadoop.conf.Configuration conf = spark.sparkContext().hadoopConfiguration();
        HadoopPaths.requireApartFromInput(conf, "--output", o.output(), o.input(), "write the scores somewhere else");
        HadoopPaths.requireApart(conf, "--output", o.output(), "--model", o.model(), "write the scores somewhere else");
        String[] inputs = HadoopPaths.patterns(o.input()).toArray(new String[0]);
        int width = model.spec().inputWidth();
        Dataset<Row> df;
        List<String> features;
        if (o.format().equals("csv")) {
            // The same line reader and number rules as training; ids pass through as strings.
            TextReaders.ScoringCsv csv = TextReaders.csvForScoring(spark, o.input(), o.header(),
                    delimiter(o.delimiter()), o.idColumns(), o.featureColumns(), o.dropColumns());
            if (csv.features().size() != width) {
                throw new JobConfigException(o.input() + " has " + csv.features().size() + " feature columns "
                        + csv.features() + " but the model expects " + width + " inputs");
            }
            df = csv.frame();
            features = List.of("features");
        } else {
            df = switch (o.format()) {
                case "parquet" -> spark.read().parquet(inputs);
                case "libsvm" -> spark.read().format("libsvm").option("numFeatures", o.width() > 0 ? o.width()
                        : width).load(inputs);
                default -> throw new JobConfigException("--format must be one of [csv, parquet, libsvm] but was '"
                        + o.format() + "'");
            };
            features = features(df, o);
        }
        StructType schema = df.schema();
        boolean vector = features.size() == 1 && schema.apply(features.get(0)).dataType() instanceof VectorUDT;
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
        List<String> heads = model.scoreColumns();
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
        CollectionAccumulator<String> badInput = jsc.sc().collectionAccumulator("bad input");
        HadoopPaths.StagedOutput output = new HadoopPaths.StagedOutput(conf, o.output(), o.overwrite());
        boolean done = false;
        try {
            BlockScorer<Row> scorer = BlockScorer.ofRows(model.spec(), model.loss(), weights, model.scaler(),
                    model.labels(), new RowFeatures(vector, width, features, o.idColumns().size()), o.input(), scoredRows,
                    badInput);
            JavaRDD<Row> rows = in.javaRDD().mapPartitions(scorer);
            // Written beside the old output and swapped in only when complete: a job stopped on a bad row (which
            // may have committed part of its output first) or failing any other way leaves the old one as it was.
            BlockScorer.stopOnBadInput(jsc, badInput, () -> spark.createDataFrame(rows, outSchema).write()
                    .mode("errorifexists").option("header", "true").format(o.outputFormat()).save(output.staging()));
            output.commit();
            done = true;
        } finally {
            if (!done) {
                output.abandon();
            }
            weights.destroy(false);
        }
        return scoredRows.value();
    }

    /** The feature columns of a Parquet or LibSVM frame: those named, else every column not an id or dropped. */
    private static List<String> features(Dataset<Row> df, Options o) {
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
        return features;
    }

    private static char delimiter(String d) {
        if (d.length() != 1) {
            throw new JobConfigException("--delimiter must be one character but was '" + d + "'");
        }
        return d.charAt(0);
    }

    private static List<String> concat(List<String> a, List<String> b, List<String> c) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        all.addAll(c);
        return all;
    }
}
