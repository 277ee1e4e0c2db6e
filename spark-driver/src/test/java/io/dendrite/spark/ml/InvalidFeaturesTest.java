package io.dendrite.spark.ml;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import io.dendrite.core.data.Dataset;
import io.dendrite.core.kernel.Activation;
import io.dendrite.core.loss.Losses;
import io.dendrite.core.model.Model;
import io.dendrite.core.optim.Optimizers;
import io.dendrite.core.train.Sequential;
import io.dendrite.spark.HadoopModels;
import io.dendrite.spark.SparkDriverSuite;
import io.dendrite.spark.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.Test;

/**
 * Every scoring path refuses a null, NaN or infinite feature in one line naming the row and column, and
 * never trusts a stored sparse vector's indices; Spark ML's {@code handleInvalid} skips such rows or keeps
 * them with NaN outputs.
 */
public class InvalidFeaturesTest extends SparkDriverSuite {

    private static Model model() {
        Dataset data = Dataset.of(new float[] {0, 0, 1, 1, 0, 1, 1, 0, 0, 0, 1, 1}, 3, new float[] {0, 1, 1, 0}, 1);
        return Sequential.input(3).dense(2, Activation.SOFTMAX).loss(Losses.categoricalCrossEntropy())
                .optimizer(Optimizers.sgd(0.1f)).epochs(1).progress((PrintStream) null).build().fit(data);
    }

    private org.apache.spark.sql.Dataset<Row> rows(Vector... features) {
        List<Row> out = new ArrayList<>();
        for (int i = 0; i < features.length; i++) {
            out.add(RowFactory.create((long) i, features[i]));
        }
        return spark().createDataFrame(out, new StructType().add("id", DataTypes.LongType)
                .add("features", SQLDataTypes.VectorType()));
    }

    private static String rootMessage(Throwable t) {
        String m = t.getMessage();
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof IllegalArgumentException) {
                m = c.getMessage();
            }
        }
        return m;
    }

    @Test
    public void transformRefusesSkipsOrKeepsInvalidFeaturesAsHandleInvalidSays() {
        DendriteClassificationModel m = new DendriteClassificationModel("m", model());
        org.apache.spark.sql.Dataset<Row> df = rows(Vectors.dense(1, 0, 1), Vectors.dense(1, Double.NaN, 0),
                Vectors.sparse(3, new int[] {2}, new double[] {Double.POSITIVE_INFINITY}), null, Vectors.dense(0, 1, 0));
        Exception e = assertThrows(Exception.class, () -> m.transform(df).collectAsList());
        // Whichever of the two partitions' bad rows fails first.
        org.junit.Assert.assertTrue(rootMessage(e), rootMessage(e).matches(".*(record 1 column features feature 1: "
                + "expected a finite number but found NaN|record 0 column features feature 2: expected a finite number "
                + "but found Infinity)"));
        assertEquals(List.of(0L, 4L), ids(m.copy(new org.apache.spark.ml.param.ParamMap()).setHandleInvalid("skip")
                .transform(df)));
        List<Row> kept = m.copy(new org.apache.spark.ml.param.ParamMap()).setHandleInvalid("keep").transform(df)
                .orderBy("id").collectAsList();
        assertEquals(5, kept.size());
        for (int i = 0; i < 5; i++) {
            boolean invalid = i >= 1 && i <= 3;
            Row r = kept.get(i);
            org.junit.Assert.assertEquals("row " + i, invalid, Double.isNaN(r.getDouble(r.fieldIndex("prediction"))));
            double[] p = ((Vector) r.get(r.fieldIndex("probability"))).toArray();
            org.junit.Assert.assertEquals("row " + i + " " + Arrays.toString(p), invalid,
                    Arrays.stream(p).allMatch(Double::isNaN));
        }
        // The valid rows score as they do alone.
        assertEquals(m.transform(rows(Vectors.dense(1, 0, 1))).select("probability").first(),
                kept.get(0).getAs("probability") instanceof Vector v ? RowFactory.create(v) : null);
        // A row predicted alone is held to the same rule.
        assertThrows(IllegalArgumentException.class, () -> m.predictProbability(Vectors.dense(0, Double.NaN, 1)));
    }

    private static List<Long> ids(org.apache.spark.sql.Dataset<Row> df) {
        return df.orderBy("id").select("id").collectAsList().stream().map(r -> r.getLong(0)).toList();
    }

    @Test
    public void storedSparseVectorsAreNotTrusted() throws Exception {
        // Vector storage as another writer may leave it: a sparse index past the width, then out of order.
        Path dir = newTempDir();
        spark().range(2).select(functions.col("id"), functions.struct(functions.lit(0).cast("tinyint").as("type"),
                functions.lit(3).as("size"), functions.when(functions.col("id").equalTo(0),
                        functions.array(functions.lit(7))).otherwise(functions.array(functions.lit(2), functions.lit(1)))
                        .as("indices"), functions.when(functions.col("id").equalTo(0), functions.array(functions.lit(1.0)))
                        .otherwise(functions.array(functions.lit(1.0), functions.lit(1.0))).as("values"),
                functions.lit(null).cast("array<double>").as("unused")).as("raw"))
                .select(functions.col("id"), functions.struct(functions.col("raw.type"), functions.col("raw.size"),
                        functions.col("raw.indices"), functions.col("raw.values")).as("features"))
                .write().parquet(dir.resolve("bad").toString());
        StructType schema = new StructType().add("id", DataTypes.LongType).add("features", SQLDataTypes.VectorType());
        DendriteClassificationModel m = new DendriteClassificationModel("m", model());
        for (long id : new long[] {0, 1}) {
            org.apache.spark.sql.Dataset<Row> bad = spark().read().schema(schema).parquet(dir.resolve("bad").toString())
                    .filter(functions.col("id").equalTo(id));
            String msg = rootMessage(assertThrows(Exception.class, () -> m.transform(bad).collectAsList()));
            org.junit.Assert.assertTrue(msg, id == 0 ? msg.endsWith("sparse index 0 is 7 but indices must increase "
                    + "within [0, 3)") : msg.endsWith("sparse index 1 is 1 but indices must increase within [0, 3) "
                    + "(the one before is 2)"));
        }
    }

    @Test
    public void theCliRefusesNonFiniteFeaturesInLibSvmAndParquet() throws Exception {
        Path dir = newTempDir();
        Model model = model();
        HadoopModels.save(jsc().hadoopConfiguration(), model, new org.apache.hadoop.fs.Path(dir.resolve("model").toUri()));
        Files.writeString(dir.resolve("rows.libsvm"), "0 1:1 3:0.5\n1 2:NaN\n");
        String out = score(dir, "--input", dir.resolve("rows.libsvm").toString(), "--format", "libsvm", "--drop-columns", "label",
                "--output", dir.resolve("a").toString());
        org.junit.Assert.assertTrue(out, out.contains("record 1 column features feature 1: expected a finite number "
                + "but found NaN"));
        rows(Vectors.dense(1, 1, 1), Vectors.dense(0, Double.NEGATIVE_INFINITY, 0)).write()
                .parquet(dir.resolve("rows.parquet").toString());
        out = score(dir, "--input", dir.resolve("rows.parquet").toString(), "--format", "parquet", "--id-columns", "id",
                "--output", dir.resolve("b").toString());
        org.junit.Assert.assertTrue(out, out.contains("column features feature 1: expected a finite number but found "
                + "-Infinity"));
        spark().createDataFrame(List.of(RowFactory.create(1.0, Double.NaN, 0.0)), new StructType()
                .add("a", DataTypes.DoubleType).add("b", DataTypes.DoubleType).add("c", DataTypes.DoubleType))
                .write().parquet(dir.resolve("columns.parquet").toString());
        out = score(dir, "--input", dir.resolve("columns.parquet").toString(), "--format", "parquet",
                "--output", dir.resolve("c").toString());
        org.junit.Assert.assertTrue(out, out.contains("column b: expected a finite number but found NaN"));
    }

    private String score(Path dir, String... args) {
        List<String> all = new ArrayList<>(List.of("score", "--model", dir.resolve("model").toString()));
        all.addAll(List.of(args));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int code = Main.run(spark(), all.toArray(new String[0]), new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(out, 2, code);
        assertEquals(out, 1, out.lines().count());
        return out;
    }
}
