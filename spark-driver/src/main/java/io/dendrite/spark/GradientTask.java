package io.dendrite.spark;

import io.dendrite.core.data.FeatureScaler;
import io.dendrite.core.loss.Loss;
import io.dendrite.core.loss.LossStats;
import io.dendrite.core.nn.NetworkSpec;
import io.dendrite.core.train.BatchPlan;
import io.dendrite.datasets.ExampleBlock;
import io.dendrite.ps.GradientAccumulator;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.broadcast.Broadcast;

/**
 * One partition's work in one step, run on an executor: take the partition's share of the global batch
 * from its epoch order, scale it, run forward and backward with the published weights and return the
 * summed gradient with the loss statistics. A pure function of the weights and the cursor, so a task
 * Spark re-runs returns the same result.
 */
final class GradientTask implements Function2<Integer, Iterator<ExampleBlock>, Iterator<GradientAccumulator>> {
    private static final long serialVersionUID = 1L;

    private final Broadcast<float[]> weights;
    private final NetworkSpec spec;
    private final Loss loss;
    private final FeatureScaler scaler;
    private final long seed;
    private final int epoch;
    private final long stepInEpoch;
    private final long step;
    private final int batchSize;
    private final long[] partitionRows;
    private final long totalRows;

    GradientTask(Broadcast<float[]> weights, NetworkSpec spec, Loss loss, FeatureScaler scaler, long seed, int epoch,
                 long stepInEpoch, long step, int batchSize, long[] partitionRows, long totalRows) {
        this.weights = weights;
        this.spec = spec;
        this.loss = loss;
        this.scaler = scaler;
        this.seed = seed;
        this.epoch = epoch;
        this.stepInEpoch = stepInEpoch;
        this.step = step;
        this.batchSize = batchSize;
        this.partitionRows = partitionRows;
        this.totalRows = totalRows;
    }

    @Override
    public Iterator<GradientAccumulator> call(Integer partition, Iterator<ExampleBlock> blocks) {
        long started = System.nanoTime();
        int p = partition;
        ExecutorScratch.Rows rows = ExecutorScratch.Rows.of(blocks);
        if (rows.total() != partitionRows[p]) {
            throw new IllegalStateException("partition " + p + " holds " + rows.total() + " rows but the batch plan "
                    + "was made for " + partitionRows[p] + "; the cached training data changed under the trainer");
        }
        long[] range = BatchPlan.range(partitionRows[p], totalRows, batchSize, stepInEpoch);
        int m = (int) (range[1] - range[0]);
        float[] w = weights.value();
        float[] grad = new float[w.length];
        LossStats stats = LossStats.EMPTY;
        if (m > 0) {
            ExecutorScratch s = ExecutorScratch.get(spec, loss);
            int fw = spec.inputWidth();
            int tw = rows.blocks().get(0).targetWidth();
            s.ensureRows(m, fw, tw);
            int[] order = ExecutorScratch.order((int) partitionRows[p], seed, epoch, p);
            for (int i = 0; i < m; i++) {
                rows.copy(order[(int) range[0] + i], i, s.x, s.y);
            }
            scaler.transformInPlace(s.x, 0, m);
            stats = s.network.accumulateGradient(w, s.x, 0, s.y, 0, tw, m, grad, s.workspace,
                    BatchPlan.dropoutSeed(seed, step, p));
        }
        return List.of(GradientAccumulator.ofPartition(partitionRows.length, p, grad, stats,
                System.nanoTime() - started)).iterator();
    }
}
