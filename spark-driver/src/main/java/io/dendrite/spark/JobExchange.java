package io.dendrite.spark;

import io.dendrite.core.step.GradientAccumulator;
import io.dendrite.core.step.StepBytes;
import io.dendrite.core.step.Steps;
import io.dendrite.datasets.ExampleBlock;
import java.util.Arrays;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

/**
 * One Spark job per step: the weights go out as a broadcast (the previous one is destroyed), each group
 * of shards' {@link GradientTask} runs (one group per task slot of the executor holding them, computed on
 * the task's cores), and {@code treeAggregate} brings the merged result back (depth 1 up to 16 groups, one
 * more level per factor of 16). Before a step, {@link CachePlacement} spreads the cached shards again if
 * an executor has joined or left, and regroups them.
 */
final class JobExchange implements Steps {
    private final JavaSparkContext jsc;
    private final CachePlacement placement;
    private JavaRDD<ExampleBlock> blocks;
    private ShardGroupRDD grouped;
    private final PartitionShare share;
    private Broadcast<float[]> published;

    JobExchange(JavaSparkContext jsc, JavaRDD<ExampleBlock> blocks, PartitionShare share, CachePlacement placement) {
        this.jsc = jsc;
        this.blocks = blocks;
        this.share = share;
        this.placement = placement;
    }

    @Override
    public String traffic() {
        return "spark";
    }

    @Override
    public void beginEpoch(int epoch) {
        // nothing to set up: every step is its own job
    }

    @Override
    public Result step(int epoch, long stepInEpoch, long step, float[] weights) {
        JavaRDD<ExampleBlock> placed = placement.place(blocks);
        int[][] groups = placement.groups();
        if (placed != blocks || grouped == null || !Arrays.deepEquals(groups, grouped.groups())) {
            blocks = placed;
            grouped = new ShardGroupRDD(blocks.rdd(), groups);
            placement.watch(grouped);
        }
        long t0 = System.nanoTime();
        destroyPublished();
        published = jsc.broadcast(weights.clone());
        long t1 = System.nanoTime();
        GradientAccumulator merged = new JavaRDD<>(grouped, grouped.elementClassTag()).mapPartitions(
                new GradientTask(published, share, epoch, stepInEpoch, step), true).treeAggregate(
                GradientAccumulator.empty(share.partitions()), GradientAccumulator::mergeInPlace,
                GradientAccumulator::mergeInPlace, treeDepth(groups.length));
        return new Result(merged, t1 - t0, System.nanoTime() - t1, StepBytes.NONE);
    }

    @Override
    public void endEpoch() {
        destroyPublished();
    }

    @Override
    public void close() {
        destroyPublished();
        CachePlacement.release(blocks);
    }

    private void destroyPublished() {
        if (published != null) {
            published.destroy(false);
            published = null;
        }
    }

    /** A flat reduce up to 16 partitions, then one more level per factor of 16. */
    static int treeDepth(int partitions) {
        int depth = 1;
        for (long p = 16; p < partitions; p *= 16) {
            depth++;
        }
        return depth;
    }
}
