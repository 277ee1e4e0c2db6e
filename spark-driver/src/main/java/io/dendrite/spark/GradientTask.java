package io.dendrite.spark;

import io.dendrite.core.loss.LossStats;
import io.dendrite.ps.GradientAccumulator;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;

/**
 * One group's work in one step of the job-per-step mode, run on an executor: each of its shards'
 * {@link PartitionShare} under the broadcast weights, computed on as many threads as the task was granted
 * cores ({@code spark.task.cpus}), and returned merged in the fixed shard tree, so the bits do not depend
 * on how shards are grouped or how many threads computed them.
 */
final class GradientTask implements FlatMapFunction<Iterator<ShardGroupRDD.Shard>, GradientAccumulator> {
    private static final long serialVersionUID = 1L;
    /**
     * Helper threads for tasks granted more than one core. A task runs one shard on its own thread and
     * hands at most {@code cpus - 1} to helpers, so no more threads compute than Spark granted cores;
     * idle helpers end after a minute.
     */
    private static final ExecutorService HELPERS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "dendrite-shard-helper");
        t.setDaemon(true);
        return t;
    });

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
        for (ShardGroupRDD.Shard s : shards) {
            share.checkRows(s.rows(), s.index());
        }
        ShardGroupRDD.Shard first = shards.get(0);
        share.warmUp(first.rows(), first.index()); // before the clock starts: not part of the step's compute
        float[] w = weights.value(); // fetching the broadcast is transport, not compute
        int threads = Math.min(shards.size(), TaskContext.get() == null ? 1 : TaskContext.get().cpus());
        GradientAccumulator merged = GradientAccumulator.empty(share.partitions());
        if (threads <= 1) {
            for (ShardGroupRDD.Shard s : shards) {
                merged.mergeInPlace(compute(s, w));
            }
            return List.of(merged).iterator();
        }
        // Thread t computes shards t, t + threads, …; the task's own thread is thread 0.
        List<Future<List<GradientAccumulator>>> helpers = new ArrayList<>();
        for (int t = 1; t < threads; t++) {
            int from = t;
            helpers.add(HELPERS.submit(() -> computeEvery(shards, from, threads, w)));
        }
        try {
            for (GradientAccumulator a : computeEvery(shards, 0, threads, w)) {
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
        return List.of(merged).iterator();
    }

    private List<GradientAccumulator> computeEvery(List<ShardGroupRDD.Shard> shards, int from, int stride, float[] w) {
        List<GradientAccumulator> out = new ArrayList<>();
        for (int i = from; i < shards.size(); i += stride) {
            out.add(compute(shards.get(i), w));
        }
        return out;
    }

    private GradientAccumulator compute(ShardGroupRDD.Shard s, float[] w) {
        long started = System.nanoTime();
        float[] grad = new float[w.length];
        LossStats stats = share.accumulate(s.rows(), s.index(), epoch, stepInEpoch, step, w, grad);
        return GradientAccumulator.ofPartition(share.partitions(), s.index(), grad, stats, System.nanoTime() - started);
    }
}
