package io.dendrite.spark;

import io.dendrite.datasets.ExampleBlock;
import io.dendrite.ps.GradientAccumulator;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

/**
 * One Spark job per step: the weights go out as a broadcast (the previous one is destroyed), each
 * partition's {@link GradientTask} runs, and {@code treeAggregate} brings the merged result back (depth 1
 * up to 16 partitions, one more level per factor of 16). Before a step, {@link CachePlacement} spreads the
 * cached partitions again if an executor has joined.
 */
final class JobExchange implements StepExchange {
    private final JavaSparkContext jsc;
    private final CachePlacement placement;
    private JavaRDD<ExampleBlock> blocks;
    private final PartitionShare share;
    private final int depth;
    private Broadcast<float[]> published;

    JobExchange(JavaSparkContext jsc, JavaRDD<ExampleBlock> blocks, PartitionShare share) {
        this.jsc = jsc;
        this.blocks = blocks;
        this.share = share;
        this.depth = treeDepth(share.partitions());
        this.placement = new CachePlacement(blocks);
        jsc.sc().addSparkListener(placement);
    }

    @Override
    public void beginEpoch(int epoch) {
        // nothing to set up: every step is its own job
    }

    @Override
    public Result step(int epoch, long stepInEpoch, long step, float[] weights) {
        blocks = placement.spread(blocks);
        long t0 = System.nanoTime();
        destroyPublished();
        published = jsc.broadcast(weights.clone());
        long t1 = System.nanoTime();
        int partitions = share.partitions();
        GradientAccumulator merged = blocks.mapPartitionsWithIndex(
                new GradientTask(published, share, epoch, stepInEpoch, step), true).treeAggregate(
                GradientAccumulator.empty(partitions), GradientAccumulator::mergeInPlace,
                GradientAccumulator::mergeInPlace, depth);
        return new Result(merged, t1 - t0, System.nanoTime() - t1);
    }

    @Override
    public void endEpoch() {
        destroyPublished();
    }

    @Override
    public void close() {
        destroyPublished();
        jsc.sc().removeSparkListener(placement);
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
