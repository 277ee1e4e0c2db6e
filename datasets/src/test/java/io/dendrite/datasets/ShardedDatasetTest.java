package io.dendrite.datasets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.dendrite.core.data.Dataset;
import io.dendrite.core.data.FeatureScaler;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import org.junit.Test;
import org.junit.jupiter.api.Assertions;

/** Splits, scaling and synthetic data on Spark. */
public class ShardedDatasetTest extends SparkSuite {

    private ShardedDataset digits() {
        Dataset d = BundledDatasets.load("digits").data();
        StringBuilder sb = new StringBuilder();
        for (int r = 0; r < d.rows(); r++) {
            for (int c = 0; c < 64; c++) {
                sb.append((int) d.features()[r * 64 + c]).append(',');
            }
            sb.append((int) d.targets()[r]).append('\n');
        }
        return TextReaders.csv(jsc(), write(newTempDir().resolve("digits.csv"), sb.toString()).toString(),
                TextReaders.CsvOptions.noHeader(64), ReadOptions.classification(10).withBlockRows(100));
    }

    @Test
    public void splitsAreDeterministicDisjointAndComplete() {
        ShardedDataset all = digits();
        all.cache();
        ShardedDataset[] a = all.split(new double[] {0.7, 0.2, 0.1}, 42);
        ShardedDataset[] b = all.split(new double[] {0.7, 0.2, 0.1}, 42);
        ShardedDataset[] other = all.split(new double[] {0.7, 0.2, 0.1}, 43);
        long total = 0;
        for (int i = 0; i < 3; i++) {
            Dataset x = a[i].collectLocal();
            assertArrayEquals(x.features(), b[i].collectLocal().features(), "same seed, same part " + i);
            total += x.rows();
        }
        assertEquals(1797, total, "the parts cover every row once");
        assertNotEquals(a[0].count() + ":" + Arrays.hashCode(a[0].collectLocal().features()),
                other[0].count() + ":" + Arrays.hashCode(other[0].collectLocal().features()));
        double trainShare = a[0].count() / 1797.0;
        Assertions.assertTrue(Math.abs(trainShare - 0.7) < 0.05, "train share " + trainShare);
    }

    @Test
    public void scalersFittedOnSparkMatchTheSingleJvmOnes() {
        ShardedDataset all = digits();
        Dataset local = all.collectLocal();
        FeatureScaler spark = all.fitScaler(FeatureScaler.Kind.STANDARD, 0f);
        FeatureScaler single = FeatureScaler.standard(local);
        assertArrayEquals(single.shift(), spark.shift(), 1e-4f);
        assertArrayEquals(single.scale(), spark.scale(), 1e-3f);
        FeatureScaler mm = all.fitScaler(FeatureScaler.Kind.MIN_MAX, 0f);
        assertArrayEquals(FeatureScaler.minMax(local).scale(), mm.scale(), 1e-6f);
        Dataset scaled = all.scaled(mm).collectLocal();
        for (float v : scaled.features()) {
            Assertions.assertTrue(v >= 0f && v <= 1f, "min-max scaled value " + v);
        }
    }

    @Test
    public void syntheticDataIsDeterministicPerSeedAndPartition() {
        Synthetic.Spec spec = new Synthetic.Spec(5000, 8, 3, true, 16, 0.1f, 7, 4);
        Dataset a = Synthetic.generate(jsc(), spec, ReadOptions.classification(3)).collectLocal();
        Dataset b = Synthetic.generate(jsc(), spec, ReadOptions.classification(3)).collectLocal();
        assertArrayEquals(a.features(), b.features());
        assertArrayEquals(a.targets(), b.targets());
        assertEquals(5000, a.rows());
        long[] perClass = new long[3];
        for (float t : a.targets()) {
            perClass[(int) t]++;
        }
        for (long c : perClass) {
            Assertions.assertTrue(c > 300, "every class occurs: " + Arrays.toString(perClass));
        }
        Synthetic.Spec regression = new Synthetic.Spec(1000, 5, 2, false, 8, 0.05f, 7, 3);
        Dataset r = Synthetic.generate(jsc(), regression, ReadOptions.regression()).collectLocal();
        assertEquals(2, r.targetWidth());
        assertEquals(1000, r.rows());
    }

    @Test
    public void tenMillionSyntheticRowsAreCountedWithoutTheDriverHoldingThem() {
        Synthetic.Spec spec = new Synthetic.Spec(10_000_000L, 10, 2, true, 8, 0.1f, 3, 8);
        long before = usedHeapAfterGc();
        long rows = Synthetic.generate(jsc(), spec, ReadOptions.classification(2)).count();
        long grown = usedHeapAfterGc() - before;
        System.out.printf("10M synthetic rows (%d MB as float32) counted; heap grew by %d MB%n",
                10_000_000L * 11 * 4 >> 20, grown >> 20);
        assertEquals(10_000_000L, rows);
        // The rows are 420 MB; nothing of them may stay behind (the bound allows for Spark's own bookkeeping).
        Assertions.assertTrue(grown < 64L << 20, "heap grew by " + (grown >> 20) + " MB");
    }

    private static long usedHeapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
