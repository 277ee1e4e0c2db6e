package io.dendrite.spark;

import io.dendrite.core.loss.LossStats;
import io.dendrite.ps.GradientAccumulator;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A task's shards computed for one step on the cores Spark granted the task ({@code spark.task.cpus}):
 * thread {@code t} computes shards {@code t, t + threads, …}, the task's own thread being thread 0, and the
 * results merge in the fixed shard tree, so the bits do not depend on the grouping or the thread count.
 */
final class ShardCompute {
    /**
     * Helper threads for tasks granted more than one core. A task hands at most {@code cpus - 1} shards at
     * a time to helpers, so no more threads compute than Spark granted cores; idle helpers end after a
     * minute.
     */
    private static final ExecutorService HELPERS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "dendrite-shard-helper");
        t.setDaemon(true);
        return t;
    });

    private final PartitionShare share;
    private final List<ShardGroupRDD.Shard> shards;
    private final int threads;

    /** Checks each shard's rows against the batch plan and warms the kernel up (once per JVM). */
    ShardCompute(PartitionShare share, List<ShardGroupRDD.Shard> shards, int cpus) {
        this.share = share;
        this.shards = shards;
        this.threads = Math.max(1, Math.min(shards.size(), cpus));
        for (ShardGroupRDD.Shard s : shards) {
            share.checkRows(s.rows(), s.index());
        }
        share.warmUp(shards.get(0).rows(), shards.get(0).index());
    }

    /** The shards' gradients of step {@code step} under {@code w}, merged, with the task's compute time. */
    GradientAccumulator step(int epoch, long stepInEpoch, long step, float[] w) throws Exception {
        long started = System.nanoTime();
        return computeAll(epoch, stepInEpoch, step, w).computedIn(System.nanoTime() - started);
    }

    private GradientAccumulator computeAll(int epoch, long stepInEpoch, long step, float[] w) throws Exception {
        GradientAccumulator merged = GradientAccumulator.empty(share.partitions());
        if (threads == 1) {
            for (ShardGroupRDD.Shard s : shards) {
                merged.mergeInPlace(compute(s, epoch, stepInEpoch, step, w));
            }
            return merged;
        }
        List<Future<List<GradientAccumulator>>> helpers = new ArrayList<>();
        for (int t = 1; t < threads; t++) {
            int from = t;
            helpers.add(HELPERS.submit(() -> computeEvery(from, epoch, stepInEpoch, step, w)));
        }
        try {
            for (GradientAccumulator a : computeEvery(0, epoch, stepInEpoch, step, w)) {
                merged.mergeInPlace(a);
            }
            for (Future<List<GradientAccumulator>> f : helpers) {
                for (GradientAccumulator a : f.get()) {
                    merged.mergeInPlace(a);
                }
            }
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception c ? c : e;
        } finally {
            helpers.forEach(f -> f.cancel(true));
        }
        return merged;
    }

    private List<GradientAccumulator> computeEvery(int from, int epoch, long stepInEpoch, long step, float[] w) {
        List<GradientAccumulator> out = new ArrayList<>();
        for (int i = from; i < shards.size(); i += threads) {
            out.add(compute(shards.get(i), epoch, stepInEpoch, step, w));
        }
        return out;
    }

    private GradientAccumulator compute(ShardGroupRDD.Shard s, int epoch, long stepInEpoch, long step, float[] w) {
        long started = System.nanoTime();
        float[] grad = new float[w.length];
        LossStats stats = share.accumulate(s.rows(), s.index(), epoch, stepInEpoch, step, w, grad);
        return GradientAccumulator.ofPartition(share.partitions(), s.index(), grad, stats, System.nanoTime() - started);
    }
}
