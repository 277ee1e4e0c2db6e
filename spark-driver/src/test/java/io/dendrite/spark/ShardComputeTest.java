package io.dendrite.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.dendrite.core.data.Dataset;
import io.dendrite.core.data.FeatureScaler;
import io.dendrite.core.kernel.Activation;
import io.dendrite.core.kernel.Kernels;
import io.dendrite.core.loss.LossStats;
import io.dendrite.core.loss.Losses;
import io.dendrite.core.nn.Network;
import io.dendrite.core.nn.NetworkSpec;
import io.dendrite.core.optim.Optimizers;
import io.dendrite.core.run.BatchPlan;
import io.dendrite.core.run.Streams;
import io.dendrite.core.step.GradientAccumulator;
import io.dendrite.core.train.Sequential;
import io.dendrite.datasets.BundledDatasets;
import io.dendrite.datasets.ExampleBlock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A task's shards on any number of threads: with fewer shards than threads the rows of a shard are cut
 * into aligned subtrees of its gradient tree, computed on different threads and combined, and the bits
 * are those of one thread and of the single-JVM network over the same rows.
 */
class ShardComputeTest {
    private static final Dataset DIGITS = BundledDatasets.load("digits").data();
    private static final NetworkSpec SPEC = Sequential.input(64).dense(48, Activation.RELU).dropout(0.2f)
            .dense(10, Activation.SOFTMAX).loss(Losses.categoricalCrossEntropy()).optimizer(Optimizers.adam(1e-3f))
            .config().spec();
    private static final float[] WEIGHTS = SPEC.initialParameters(4);

    /** Shards of {@code sizes} rows each, from the start of the digits. */
    private static List<ShardGroupRDD.Shard> shards(int... sizes) {
        List<ShardGroupRDD.Shard> out = new ArrayList<>();
        int from = 0;
        for (int i = 0; i < sizes.length; i++) {
            int n = sizes[i];
            float[] x = java.util.Arrays.copyOfRange(DIGITS.features(), from * 64, (from + n) * 64);
            float[] y = java.util.Arrays.copyOfRange(DIGITS.targets(), from, from + n);
            out.add(new ShardGroupRDD.Shard(i, ExecutorScratch.Rows.of(
                    List.of(ExampleBlock.ofFloats(n, 64, 1, x, y)).iterator())));
            from += n;
        }
        return out;
    }

    private static PartitionShare share(int batch, int... sizes) {
        long[] rows = java.util.Arrays.stream(sizes).asLongStream().toArray();
        return new PartitionShare(SPEC, Losses.categoricalCrossEntropy(), FeatureScaler.constant(64, 16f), 9, batch,
                rows, java.util.Arrays.stream(rows).sum());
    }

    private static GradientAccumulator.Node step(PartitionShare share, List<ShardGroupRDD.Shard> shards, int cpus,
                                                 int expectedPieces) throws Exception {
        ShardCompute c = new ShardCompute(share, shards, cpus);
        GradientAccumulator a = c.step(0, 1, 1, WEIGHTS);
        assertEquals(expectedPieces, c.lastPieces(), cpus + " threads");
        return a.total();
    }

    @Test
    void oneShardSplitsItsRowsOverTheThreadsAndKeepsTheBits() throws Exception {
        // Batch 256 from one shard: 8 leaves of 32 rows.
        PartitionShare share = share(256, 1000);
        List<ShardGroupRDD.Shard> one = shards(1000);
        GradientAccumulator.Node reference = step(share, one, 1, 1);
        int[][] threadsAndPieces = {{2, 2}, {3, 4}, {4, 4}, {8, 8}, {16, 8}};
        for (int[] tp : threadsAndPieces) {
            GradientAccumulator.Node n = step(share, one, tp[0], tp[1]);
            assertArrayEquals(reference.gradient(), n.gradient(), tp[0] + " threads");
            assertEquals(reference.stats(), n.stats(), tp[0] + " threads");
        }
        // The single-JVM network over the same rows (step 1 of epoch 0, scaled by 16) gives the same bits.
        int[] order = BatchPlan.order(1000, 9, 0, 0);
        float[] x = new float[256 * 64];
        float[] y = new float[256];
        for (int i = 0; i < 256; i++) {
            int r = order[256 + i];
            System.arraycopy(DIGITS.features(), r * 64, x, i * 64, 64);
            y[i] = DIGITS.targets()[r];
        }
        FeatureScaler.constant(64, 16f).transformInPlace(x, 0, 256);
        Network net = new Network(SPEC, Losses.categoricalCrossEntropy(), Kernels.get());
        float[] grad = new float[WEIGHTS.length];
        LossStats stats = net.accumulateGradient(WEIGHTS, x, 0, y, 0, 1, 256, grad, net.newWorkspace(),
                Streams.dropout(9, 1, 0));
        assertArrayEquals(grad, reference.gradient());
        assertEquals(stats, reference.stats());
    }

    @Test
    void unevenShardsGiveTheSameBitsOnAnyThreadCount() throws Exception {
        // Batch 300 over shards of 700, 250 and 47 rows: shares of about 210, 75 and 14 rows (7, 3 and 1 leaves);
        // 5 threads cut each tree one level below its root (2 + 2 + 1 pieces), 7 threads two levels (4 + 3 + 1).
        PartitionShare share = share(300, 700, 250, 47);
        List<ShardGroupRDD.Shard> three = shards(700, 250, 47);
        GradientAccumulator.Node reference = step(share, three, 1, 3);
        int[][] threadsAndPieces = {{2, 3}, {3, 3}, {5, 5}, {7, 8}};
        for (int[] tp : threadsAndPieces) {
            GradientAccumulator.Node n = step(share, three, tp[0], tp[1]);
            assertArrayEquals(reference.gradient(), n.gradient(), tp[0] + " threads");
            assertEquals(reference.stats(), n.stats(), tp[0] + " threads");
        }
    }
}
