package io.dendrite.benchmarks;

import io.dendrite.core.data.Dataset;
import io.dendrite.core.model.Model;
import io.dendrite.datasets.IdxReader;
import io.dendrite.datasets.ReadOptions;
import io.dendrite.datasets.Storage;
import io.dendrite.spark.HadoopModels;
import io.dendrite.spark.cli.Main;
import io.dendrite.spark.ml.DendriteClassificationModel;
import io.dendrite.spark.ml.DendriteClassifier;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.classification.MultilayerPerceptronClassificationModel;
import org.apache.spark.ml.classification.MultilayerPerceptronClassifier;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Batch scoring of Fashion-MNIST's 60,000 training rows (pixels / 255 in a vector column, cached) in one
 * Spark application, side by side: {@code DendriteClassificationModel.transform} and MLlib's
 * {@code MultilayerPerceptronClassificationModel.transform} on the same rows and hidden sizes, each written
 * to Spark's no-op sink; the CLI {@code score} job on the same rows from Parquet (written to Parquet); and
 * the kernel alone, {@code Model.predictProba} over the rows in memory in blocks of 4,096, on 1 and 2
 * threads; and, as the floor under both transforms, the cached rows written to the no-op sink unscored.
 * Each is timed {@code REPEATS} times after a warm-up run; the median is reported. The models are
 * trained one epoch (Dendrite) and one L-BFGS iteration (MLlib): scoring speed does not depend on the weights.
 * Writes one JSON object. Run through spark-submit; the master comes from there.
 *
 * <p>usage: {@code ScoringBenchmark <fashion-mnist dir> <result.json> <work dir> [hidden sizes, default 256,256]}
 */
public final class ScoringBenchmark {
    private static final int REPEATS = 5;
    private static final int BLOCK = 4096;

    private ScoringBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        Path result = Path.of(args[1]);
        Path work = Path.of(args[2]);
        int[] hidden = Arrays.stream((args.length > 3 ? args[3] : "256,256").split(",")).mapToInt(Integer::parseInt)
                .toArray();
        SparkSession spark = SparkSession.builder().appName("Dendrite scoring benchmark").getOrCreate();
        try {
            JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            Dataset local = IdxReader.read(jsc, dir.resolve("train-images-idx3-ubyte.gz").toUri().toString(),
                    dir.resolve("train-labels-idx1-ubyte.gz").toUri().toString(),
                    ReadOptions.classification(10).withStorage(Storage.UINT8)).collectLocal();
            int n = local.rows();
            float[] x = local.features().clone();
            for (int i = 0; i < x.length; i++) {
                x[i] /= 255f;
            }
            org.apache.spark.sql.Dataset<Row> df = frame(spark, local, x).repartition(jsc.defaultParallelism()).cache();
            df.count();
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("rows", n);
            out.put("master", jsc.master());
            out.put("partitions", df.rdd().getNumPartitions());
            out.put("hidden", Arrays.toString(hidden));

            DendriteClassificationModel dendrite = new DendriteClassifier().setHiddenLayers(hidden).setMaxEpochs(1)
                    .setBatchSize(256).setSeed(42).fit(df);
            int[] layers = new int[hidden.length + 2];
            layers[0] = 784;
            System.arraycopy(hidden, 0, layers, 1, hidden.length);
            layers[layers.length - 1] = 10;
            MultilayerPerceptronClassificationModel mllib = new MultilayerPerceptronClassifier().setLayers(layers)
                    .setMaxIter(1).setSeed(42L).fit(df);
            out.put("network", dendrite.dendriteModel().spec().describe());
            // The floor under both transforms: the cached rows read and written to the no-op sink, unscored.
            out.put("cached_rows_to_noop_rows_per_s", rowsPerSecond(n, () -> df.write().format("noop").mode("overwrite")
                    .save()));
            out.put("dendrite_transform_rows_per_s", rowsPerSecond(n, () -> noop(dendrite, df)));
            out.put("mllib_transform_rows_per_s", rowsPerSecond(n, () -> noop(mllib, df)));

            // The CLI score job: the same rows from Parquet through spark-submit's entry point, to Parquet.
            Path modelDir = work.resolve("model");
            HadoopModels.save(jsc.hadoopConfiguration(), dendrite.dendriteModel(),
                    new org.apache.hadoop.fs.Path(modelDir.toUri()));
            String parquet = work.resolve("rows.parquet").toUri().toString();
            df.write().mode("overwrite").parquet(parquet);
            String scored = work.resolve("scored").toUri().toString();
            out.put("cli_score_rows_per_s", rowsPerSecond(n, () -> {
                int code = Main.run(spark, new String[] {"score", "--model", modelDir.toString(), "--input", parquet,
                        "--format", "parquet", "--feature-columns", "features", "--id-columns", "label", "--output",
                        scored, "--overwrite", "true"}, new PrintStream(System.out, true, StandardCharsets.UTF_8));
                if (code != 0) {
                    throw new IllegalStateException("score exited with " + code);
                }
            }));

            Model model = dendrite.dendriteModel();
            out.put("kernel_1_thread_rows_per_s", rowsPerSecond(n, () -> kernel(model, x, n, 1)));
            out.put("kernel_2_threads_rows_per_s", rowsPerSecond(n, () -> kernel(model, x, n, 2)));
            out.put("kernel", io.dendrite.core.kernel.Kernels.get().name());
            String json = new com.fasterxml.jackson.databind.ObjectMapper().writerWithDefaultPrettyPrinter()
                    .writeValueAsString(out);
            Files.writeString(result, json + "\n", StandardCharsets.UTF_8);
            System.out.println(json);
        } finally {
            spark.stop();
        }
    }

    private static org.apache.spark.sql.Dataset<Row> frame(SparkSession spark, Dataset local, float[] x) {
        List<Row> rows = new ArrayList<>(local.rows());
        for (int r = 0; r < local.rows(); r++) {
            double[] v = new double[784];
            for (int c = 0; c < 784; c++) {
                v[c] = x[r * 784 + c];
            }
            rows.add(RowFactory.create((double) local.targets()[r], Vectors.dense(v)));
        }
        StructType schema = DataTypes.createStructType(List.of(
                DataTypes.createStructField("label", DataTypes.DoubleType, false),
                DataTypes.createStructField("features", new VectorUDT(), false)));
        return spark.createDataFrame(rows, schema);
    }

    private static void noop(Transformer model, org.apache.spark.sql.Dataset<Row> df) {
        model.transform(df).write().format("noop").mode("overwrite").save();
    }

    /** The model's probabilities for every row, blocks of {@link #BLOCK} rows shared out over {@code threads}. */
    private static void kernel(Model model, float[] x, int n, int threads) {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> parts = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int first = t;
                parts.add(pool.submit(() -> {
                    for (int start = first * BLOCK; start < n; start += threads * BLOCK) {
                        int m = Math.min(BLOCK, n - start);
                        model.predictProba(Arrays.copyOfRange(x, start * 784, (start + m) * 784), m);
                    }
                }));
            }
            for (Future<?> f : parts) {
                f.get();
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        } finally {
            pool.shutdown();
        }
    }

    /** One warm-up run, then the median rows per second of {@link #REPEATS} timed runs. */
    private static double rowsPerSecond(int rows, Runnable run) {
        run.run();
        double[] rates = new double[REPEATS];
        for (int i = 0; i < REPEATS; i++) {
            long t0 = System.nanoTime();
            run.run();
            rates[i] = rows / ((System.nanoTime() - t0) / 1e9);
        }
        Arrays.sort(rates);
        return rates[REPEATS / 2];
    }
}
