package io.dendrite.spark;

import io.dendrite.core.data.FeatureScaler;
import io.dendrite.core.loss.Loss;
import io.dendrite.core.loss.LossStats;
import io.dendrite.core.nn.NetworkSpec;
import io.dendrite.core.nn.WarmUp;
import io.dendrite.core.run.BatchPlan;
import io.dendrite.core.run.Streams;
import java.io.Serializable;
import java.util.Arrays;

/**
 * What one partition computes for one step, in every step mode: its share of the global batch from its
 * epoch order ({@link BatchPlan}), scaled, through forward and backward with the given weights. A pure
 * function of the weights and the cursor, so a re-run task returns the same bits. Holds what stays fixed
 * for a whole run, so it is shipped once per stage rather than once per step where the mode allows.
 */
final class PartitionShare implements Serializable {
    private static final long serialVersionUID = 1L;
    /** At most this long to warm the kernel up; it usually takes well under a second. */
    private static final long WARM_UP_BUDGET_NANOS = 5_000_000_000L;

    private final NetworkSpec spec;
    private final Loss loss;
    private final FeatureScaler scaler;
    private final long seed;
    private final int batchSize;
    private final long[] partitionRows;
    private final long totalRows;

    PartitionShare(NetworkSpec spec, Loss loss, FeatureScaler scaler, long seed, int batchSize, long[] partitionRows,
                   long totalRows) {
        this.spec = spec;
        this.loss = loss;
        this.scaler = scaler;
        this.seed = seed;
        this.batchSize = batchSize;
        this.partitionRows = partitionRows;
        this.totalRows = totalRows;
    }

    int partitions() {
        return partitionRows.length;
    }

    int parameters() {
        return spec.parameterCount();
    }

    /** Fails when the cached partition no longer holds the rows the batch plan was made for. */
    void checkRows(ShardRows rows, int partition) {
        if (rows.total() != partitionRows[partition]) {
            throw new IllegalStateException("partition " + partition + " holds " + rows.total() + " rows but the batch "
                    + "plan was made for " + partitionRows[partition] + "; the cached training data changed under the "
                    + "trainer");
        }
    }

    /**
     * Warms the JIT up before a task's first step, once per executor JVM: the network on synthetic rows
     * until the kernel is compiled, then this partition's own step path (row copy, scaling, forward and
     * backward at the real batch share) with throwaway weights until its time settles. Nothing it computes
     * is kept. Without it, epoch 1's compute was 2.3× epoch 3's.
     */
    void warmUp(ShardRows rows, int p) {
        ExecutorScratch s = ExecutorScratch.get(spec, loss);
        int targetWidth = rows.targetWidth();
        WarmUp.once(spec + "|" + loss + "|" + s.network.kernel().name() + "|" + targetWidth, () -> {
            WarmUp.Result kernel = WarmUp.run(s.network, targetWidth, WARM_UP_BUDGET_NANOS);
            float[] weights = new float[spec.parameterCount()];
            Arrays.fill(weights, 0.01f);
            float[] grad = new float[weights.length];
            // A stream stays on step 0 (its first window), which it reads anyway.
            long steps = rows.sequential() ? 1 : Math.max(1, BatchPlan.stepsPerEpoch(totalRows, batchSize));
            WarmUp.Result path = WarmUp.untilSettled(
                    i -> (int) accumulate(rows, p, 0, i % steps, i, weights, grad).count(), WARM_UP_BUDGET_NANOS);
            System.getLogger(PartitionShare.class.getName()).log(System.Logger.Level.INFO, "kernel "
                    + s.network.kernel().name() + " warmed up: " + kernel.describe() + "; step path: " + path.describe());
        });
    }

    /**
     * Partition {@code p}'s rows of one step, scaled, in buffers of their own, ready for any thread to
     * compute nodes of their gradient tree ({@link #node}).
     */
    static final class Batch {
        float[] x = new float[0];
        float[] y = new float[0];
        int rows;
        int targetWidth;
        long dropoutSeed;
    }

    /** Fills {@code b} with partition {@code p}'s share of step {@code step} (possibly no rows). */
    void prepare(ShardRows rows, int p, int epoch, long stepInEpoch, long step, Batch b) {
        long[] range = BatchPlan.range(partitionRows[p], totalRows, batchSize, stepInEpoch);
        int m = (int) (range[1] - range[0]);
        b.rows = m;
        b.dropoutSeed = Streams.dropout(seed, step, p);
        if (m == 0) {
            return;
        }
        int tw = rows.targetWidth();
        b.targetWidth = tw;
        if (b.x.length < m * spec.inputWidth()) {
            b.x = new float[m * spec.inputWidth()];
        }
        if (b.y.length < m * tw) {
            b.y = new float[m * tw];
        }
        rows.copyPositions(seed, epoch, p, range[0], m, b.x, b.y);
        scaler.transformInPlace(b.x, 0, m);
    }

    /**
     * Writes node {@code (level, index)} of {@code b}'s gradient tree to {@code out} on this thread's
     * network ({@link io.dendrite.core.nn.Network#gradientNode}).
     */
    LossStats node(Batch b, float[] weights, int level, int index, float[] out) {
        ExecutorScratch s = ExecutorScratch.get(spec, loss);
        return s.network.gradientNode(weights, b.x, 0, b.y, 0, b.targetWidth, b.rows, level, index, out, s.workspace,
                b.dropoutSeed);
    }

    /** Partition {@code p}'s gradient of step {@code step} in {@code grad} (overwritten); its loss statistics. */
    LossStats accumulate(ShardRows rows, int p, int epoch, long stepInEpoch, long step, float[] weights,
                         float[] grad) {
        ExecutorScratch s = ExecutorScratch.get(spec, loss);
        prepare(rows, p, epoch, stepInEpoch, step, s.batch);
        if (s.batch.rows == 0) {
            java.util.Arrays.fill(grad, 0f);
            return LossStats.EMPTY;
        }
        return node(s.batch, weights, io.dendrite.core.nn.Network.treeLevels(s.batch.rows), 0, grad);
    }
}
