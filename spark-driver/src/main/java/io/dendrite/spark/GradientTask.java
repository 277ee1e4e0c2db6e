package io.dendrite.spark;

import io.dendrite.core.step.GradientAccumulator;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;

/**
 * One group's work in one step of the job-per-step mode, run on an executor: its shards'
 * {@link PartitionShare}s under the broadcast weights ({@link ShardCompute}, on the task's cores),
 * returned merged in the fixed shard tree.
 */
final class GradientTask implements FlatMapFunction<Iterator<ShardGroupRDD.Shard>, GradientAccumulator> {
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
    public Iterator<GradientAccumulator> call(Iterator<ShardGroupRDD.Shard> group) throws Exception {
        List<ShardGroupRDD.Shard> shards = new ArrayList<>();
        group.forEachRemaining(shards::add);
        // Built (and the kernel warmed up) before the broadcast is fetched: neither is the step's compute.
        ShardCompute compute = new ShardCompute(share, shards, TaskContext.get().cpus());
        return List.of(compute.step(epoch, stepInEpoch, step, weights.value())).iterator();
    }
}
