package io.dendrite.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.dendrite.core.data.Dataset;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.Test;
import org.junit.jupiter.api.Assertions;

/** Parquet files and DataFrames, with a vector column or numeric columns, on the bundled breast-cancer data. */
public class FrameReaderTest extends SparkSuite {

    private org.apache.spark.sql.Dataset<Row> breastCancer() {
        Dataset d = BundledDatasets.load("breast_cancer").data();
        List<Row> rows = new ArrayList<>();
        for (int r = 0; r < d.rows(); r++) {
            Object[] values = new Object[31];
            for (int c = 0; c < 30; c++) {
                values[c] = (double) d.features()[r * 30 + c];
            }
            values[30] = (int) d.targets()[r];
            rows.add(RowFactory.create(values));
        }
        StructType schema = new StructType();
        for (int c = 0; c < 30; c++) {
            schema = schema.add("f" + c, DataTypes.DoubleType);
        }
        schema = schema.add("label", DataTypes.IntegerType);
        return spark().createDataFrame(rows, schema).repartition(3);
    }

    private static List<String> featureNames() {
        List<String> names = new ArrayList<>();
        for (int c = 0; c < 30; c++) {
            names.add("f" + c);
        }
        return names;
    }

    private static double[] columnSums(Dataset d) {
        double[] s = new double[d.featureWidth() + 1];
        for (int r = 0; r < d.rows(); r++) {
            for (int c = 0; c < d.featureWidth(); c++) {
                s[c] += d.features()[r * d.featureWidth() + c];
            }
            s[d.featureWidth()] += d.targets()[r];
        }
        return s;
    }

    @Test
    public void parquetWithNumericColumnsAndWithAVectorColumn() {
        Dataset original = BundledDatasets.load("breast_cancer").data();
        String dir = newTempDir().resolve("bc.parquet").toString();
        org.apache.spark.sql.Dataset<Row> df = breastCancer();
        new VectorAssembler().setInputCols(featureNames().toArray(new String[0])).setOutputCol("features")
                .transform(df).write().parquet(dir);

        ShardedDataset numeric = FrameReader.parquet(spark(), dir, featureNames(), "label", ReadOptions.classification(2));
        assertEquals(569, numeric.cache().keptRows());
        assertArrayEquals(columnSums(original), columnSums(numeric.collectLocal()), 1e-2);

        ShardedDataset vector = FrameReader.parquet(spark(), dir + "/*.parquet", List.of("features"), "label",
                ReadOptions.classification(2));
        Dataset v = vector.collectLocal();
        assertEquals(30, v.featureWidth());
        assertArrayEquals(columnSums(original), columnSums(v), 1e-2);
    }

    @Test
    public void dataFrameWithSparseVectorsIsDensified() {
        StructType schema = new StructType().add("features", new org.apache.spark.ml.linalg.VectorUDT())
                .add("y", DataTypes.DoubleType);
        org.apache.spark.sql.Dataset<Row> df = spark().createDataFrame(List.of(
                RowFactory.create(Vectors.sparse(4, new int[] {1, 3}, new double[] {2, 5}), 1.5),
                RowFactory.create(Vectors.dense(1, 0, 0, 1), -0.5)), schema);
        Dataset d = FrameReader.frame(df, List.of("features"), "y", ReadOptions.regression(), "df").collectLocal();
        assertArrayEquals(new float[] {0, 2, 0, 5, 1, 0, 0, 1}, d.features());
        assertArrayEquals(new float[] {1.5f, -0.5f}, d.targets());
    }

    /** Each partition's labels, in order. */
    private static List<List<Float>> labelsByPartition(ShardedDataset d) {
        return d.blocks().mapPartitions(it -> {
            List<Float> ys = new ArrayList<>();
            it.forEachRemaining(b -> {
                for (float y : b.targets()) {
                    ys.add(y);
                }
            });
            return List.of(ys).iterator();
        }).collect();
    }

    @Test
    public void parquetPartitionsAndSplitsDoNotDependOnHowSparkSplitsTheFiles() {
        String dir = newTempDir().resolve("bc.parquet").toString();
        breastCancer().repartition(3).write().parquet(dir);
        List<List<List<Float>>> seen = new ArrayList<>();
        List<List<List<Float>>> trainParts = new ArrayList<>();
        // Few large scan splits, as on a small cluster, and many small ones, as on a large one.
        for (String[] conf : new String[][] {{"134217728", "1"}, {"2048", "16"}}) {
            spark().conf().set("spark.sql.files.maxPartitionBytes", conf[0]);
            spark().conf().set("spark.sql.files.minPartitionNum", conf[1]);
            try {
                ShardedDataset d = FrameReader.parquet(spark(), dir, featureNames(), "label",
                        ReadOptions.classification(2).withPartitions(4));
                assertEquals(4, d.blocks().getNumPartitions());
                seen.add(labelsByPartition(d));
                trainParts.add(labelsByPartition(d.split(new double[] {0.8, 0.2}, 42)[1]));
            } finally {
                spark().conf().unset("spark.sql.files.maxPartitionBytes");
                spark().conf().unset("spark.sql.files.minPartitionNum");
            }
        }
        assertEquals(List.of(143, 142, 142, 142), seen.get(0).stream().map(List::size).toList());
        assertEquals(seen.get(0), seen.get(1));
        assertEquals(trainParts.get(0), trainParts.get(1), "the test split is the same");
    }

    @Test
    public void badFieldsAreNamedByFileRecordAndColumn() {
        StructType schema = new StructType().add("a", DataTypes.DoubleType).add("label", DataTypes.StringType);
        String dir = newTempDir().resolve("bad.parquet").toString();
        spark().createDataFrame(List.of(RowFactory.create(1.0, "1"), RowFactory.create(2.0, "cat")), schema)
                .coalesce(1).write().parquet(dir);
        Exception e = assertThrows(Exception.class, () -> FrameReader.parquet(spark(), dir, List.of("a"), "label",
                ReadOptions.classification(2).withPartitions(1)).cache());
        Assertions.assertTrue(rootMessage(e).matches("file:.*bad\\.parquet/part-.*\\.parquet record 0 column "
                + "label: expected a number but found '1'"), rootMessage(e));

        StructType nullable = new StructType().add("a", DataTypes.DoubleType).add("label", DataTypes.IntegerType);
        org.apache.spark.sql.Dataset<Row> withNull = spark().createDataFrame(List.of(RowFactory.create(1.0, 1),
                RowFactory.create(null, 0)), nullable).coalesce(1);
        e = assertThrows(Exception.class,
                () -> FrameReader.frame(withNull, List.of("a"), "label", ReadOptions.classification(2).withPartitions(1),
                        "df").cache());
        assertEquals("partition 0 record 1 column a: expected a number but found null", rootMessage(e));
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> FrameReader.frame(withNull, List.of("b"), "label", ReadOptions.classification(2), "df"));
        assertEquals("df has no column 'b'; it has [a, label]", missing.getMessage());
    }
}
