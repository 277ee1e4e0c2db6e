package io.dendrite.benchmarks;

import io.dendrite.core.data.Dataset;
import io.dendrite.datasets.IdxReader;
import io.dendrite.datasets.ReadOptions;
import io.dendrite.datasets.Storage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.classification.MultilayerPerceptronClassificationModel;
import org.apache.spark.ml.classification.MultilayerPerceptronClassifier;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The peer the end-to-end benchmark runs beside Dendrite: Spark MLlib's
 * {@code MultilayerPerceptronClassifier} on the same Fashion-MNIST (pixels / 255), the same hidden
 * sizes and its defaults (L-BFGS, 100 iterations, block size 128). Writes one JSON object with the
 * training time and test accuracy. Run through spark-submit; the master comes from there.
 *
 * <p>usage: {@code MllibMlpBaseline <fashion-mnist dir> <result.json> [hidden sizes, default 256,256]}
 */
public final class MllibMlpBaseline {
    private MllibMlpBaseline() {
    }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        Path result = Path.of(args[1]);
        String hidden = args.length > 2 ? args[2] : "256,256";
        SparkSession spark = SparkSession.builder().appName("MLlib MLP baseline").getOrCreate();
        try {
            JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            org.apache.spark.sql.Dataset<Row> train = frame(spark, jsc, dir, "train");
            org.apache.spark.sql.Dataset<Row> test = frame(spark, jsc, dir, "t10k");
            train.cache().count();
            List<Integer> sizes = new ArrayList<>(List.of(784));
            for (String h : hidden.split(",")) {
                sizes.add(Integer.parseInt(h.trim()));
            }
            sizes.add(10);
            MultilayerPerceptronClassifier mlp = new MultilayerPerceptronClassifier()
                    .setLayers(sizes.stream().mapToInt(Integer::intValue).toArray()).setSeed(42L);
            long t0 = System.nanoTime();
            MultilayerPerceptronClassificationModel model = mlp.fit(train);
            double seconds = (System.nanoTime() - t0) / 1e9;
            double accuracy = new MulticlassClassificationEvaluator().setMetricName("accuracy")
                    .evaluate(model.transform(test));
            String json = String.format(Locale.ROOT, "{\"trainer\": \"spark-mllib MultilayerPerceptronClassifier\", "
                            + "\"layers\": \"%s\", \"solver\": \"%s\", \"max_iter\": %d, \"block_size\": %d, "
                            + "\"train_seconds\": %.1f, \"test_accuracy\": %.4f, \"master\": \"%s\"}%n", sizes,
                    mlp.getSolver(), mlp.getMaxIter(), mlp.getBlockSize(), seconds, accuracy, jsc.master());
            Files.writeString(result, json, StandardCharsets.UTF_8);
            System.out.print(json);
        } finally {
            spark.stop();
        }
    }

    /** Reads one split with our IDX reader and hands MLlib a (label, features) DataFrame. */
    private static org.apache.spark.sql.Dataset<Row> frame(SparkSession spark, JavaSparkContext jsc, Path dir,
                                                           String prefix) {
        Dataset local = IdxReader.read(jsc, dir.resolve(prefix + "-images-idx3-ubyte.gz").toUri().toString(),
                dir.resolve(prefix + "-labels-idx1-ubyte.gz").toUri().toString(),
                ReadOptions.classification(10).withStorage(Storage.UINT8)).collectLocal();
        List<Row> rows = new ArrayList<>(local.rows());
        float[] x = local.features();
        for (int r = 0; r < local.rows(); r++) {
            double[] v = new double[784];
            for (int c = 0; c < 784; c++) {
                v[c] = x[r * 784 + c] / 255.0;
            }
            rows.add(RowFactory.create((double) local.targets()[r], Vectors.dense(v)));
        }
        StructType schema = DataTypes.createStructType(List.of(
                DataTypes.createStructField("label", DataTypes.DoubleType, false),
                DataTypes.createStructField("features", new VectorUDT(), false)));
        return spark.createDataFrame(rows, schema).repartition(jsc.defaultParallelism());
    }
}
