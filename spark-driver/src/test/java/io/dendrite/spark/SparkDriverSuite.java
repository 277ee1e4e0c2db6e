package io.dendrite.spark;

import io.dendrite.core.data.Dataset;
import io.dendrite.datasets.BundledDatasets;
import io.dendrite.datasets.ReadOptions;
import io.dendrite.datasets.ShardedDataset;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.SparkConf;

/**
 * The base of this module's Spark suites: a shared session (one per suite, datasets' {@code SharedSpark}:
 * spark-testing-base's on Spark 3, the project's own on Spark 4) on
 * {@code local[2]}, with Kryo and {@code registrationRequired}, so anything shipped between JVMs that the
 * registrator misses fails the test.
 */
public abstract class SparkDriverSuite extends io.dendrite.datasets.SharedSpark {
    /** The bundled digits (1797 rows, 64 features, 10 classes). */
    protected static final Dataset DIGITS = BundledDatasets.load("digits").data();

    /** The digits spread over {@code partitions} partitions. */
    protected ShardedDataset digits(int partitions) {
        return ShardedDataset.parallelize(jsc(), DIGITS, partitions, ReadOptions.classification(10), "digits");
    }

    @Override
    public SparkConf conf() {
        return testConf("local[2]", getClass().getSimpleName());
    }

    /** This module's test configuration on {@code master}. */
    static SparkConf testConf(String master, String appName) {
        return new SparkConf().setMaster(master).setAppName(appName)
                .set("spark.ui.enabled", "false")
                .set("spark.sql.shuffle.partitions", "4")
                .set("spark.driver.host", "127.0.0.1")
                .set("spark.serializer", "org.apache.spark.serializer.KryoSerializer")
                .set("spark.kryo.registrator", DendriteKryoRegistrator.class.getName())
                .set("spark.kryo.registrationRequired", "true");
    }

    /** A fresh temporary directory. */
    protected static Path newTempDir() {
        try {
            return Files.createTempDirectory("dendrite-spark-test");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
