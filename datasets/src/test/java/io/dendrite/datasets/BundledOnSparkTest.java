package io.dendrite.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.dendrite.core.data.Dataset;
import org.junit.Test;

/** The bundled datasets load by name onto Spark, unchanged. */
public class BundledOnSparkTest extends SparkSuite {

    @Test
    public void everyBundledDatasetRoundTripsThroughSpark() {
        for (String name : BundledDatasets.NAMES) {
            Dataset local = BundledDatasets.load(name).data();
            ShardedDataset d = BundledDatasets.onSpark(jsc(), name, 3);
            assertEquals(3, d.blocks().getNumPartitions(), name);
            assertEquals(local.rows(), d.cache().keptRows(), name);
            Dataset back = d.collectLocal();
            assertArrayEquals(local.features(), back.features(), name);
            assertArrayEquals(local.targets(), back.targets(), name);
        }
    }
}
