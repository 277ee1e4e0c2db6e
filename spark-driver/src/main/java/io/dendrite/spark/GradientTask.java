package io.dendrite.spark;

import io.dendrite.core.loss.LossStats;
import io.dendrite.datasets.ExampleBlock;
import io.dendrite.ps.GradientAccumulator;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.broadcast.Broadcast;

/**
 * One partition's work in one step of the job-per-step mode, run on an executor: its
 * {@link PartitionShare} under the broadcast weights, returned as a one-partition accumulator.
 */
final class GradientTask implements Function2<Integer, Iterator<ExampleBlock>, Iterator<GradientAccumulator>> {
    private static final long serialVersionUID = 1L;

    private final Broadcast<float[]> weights;
    private final PartitionShare share;
    private final int epoch;
    private final long stepInEpoch;
    private final long step;

    GradientTask(Broadcast<float[]> weights, PartitionShare share, int epoch, long stepInEpoch, long step) {
        this.weights = weights;
        this.share = share;
        this.epoch = epoch;
        this.stepInEpoch = stepInEpoch;
        this.step = step;
    }

    @Override
    public Iterator<GradientAccumulator> call(Integer partition, Iterator<ExampleBlock> blocks) {
        int p = partition;
        ExecutorScratch.Rows rows = ExecutorScratch.Rows.of(blocks);
        share.checkRows(rows, p);
        share.warmUp(rows, p); // before the clock starts: the warm-up is not part of the step's compute
        float[] w = weights.value(); // fetching the broadcast is transport, not compute
        long started = System.nanoTime();
        float[] grad = new float[w.length];
        LossStats stats = share.accumulate(rows, p, epoch, stepInEpoch, step, w, grad);
        return List.of(GradientAccumulator.ofPartition(share.partitions(), p, grad, stats,
                System.nanoTime() - started)).iterator();
    }
}
