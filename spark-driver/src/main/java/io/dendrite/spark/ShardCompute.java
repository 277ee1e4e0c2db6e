package io.dendrite.spark;

import io.dendrite.core.loss.LossStats;
import io.dendrite.core.nn.Network;
import io.dendrite.core.step.GradientAccumulator;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A task's shards computed for one step on the cores Spark granted the task ({@code spark.task.cpus}), the
 * task's own thread being thread 0. First the threads copy the shards' rows of the step (shard {@code i}
 * on thread {@code i mod threads}); then they compute pieces of the shards' gradient trees: each shard's
 * whole tree when there are at least as many shards as threads, else aligned subtrees of rows
 * ({@link Network#gradientNode}) enough to give every thread work, so a small batch in few shards still
 * uses every core. The pieces are combined up each shard's tree and the shards merge in the fixed shard
 * tree, so the bits depend neither on the grouping of shards into tasks nor on the thread count.
 */
final class ShardCompute {
    /**
     * Helper threads for tasks granted more than one core. A task hands work to at most {@code cpus - 1}
     * helpers at a time, so no more threads compute than Spark granted cores; idle helpers end after a
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
    private final PartitionShare.Batch[] batches;
    private int lastPieces;

    /** One subtree of shard {@code shard}'s gradient tree, as one thread computes it. */
    private record Piece(int shard, int level, int index) {
    }

    /** Checks each shard's rows against the batch plan and warms the kernel up (once per JVM). */
    ShardCompute(PartitionShare share, List<ShardGroupRDD.Shard> shards, int cpus) {
        this.share = share;
        this.shards = shards;
        this.threads = Math.max(1, cpus);
        this.batches = new PartitionShare.Batch[shards.size()];
        for (int i = 0; i < batches.length; i++) {
            batches[i] = new PartitionShare.Batch();
        }
        for (ShardGroupRDD.Shard s : shards) {
            share.checkRows(s.rows(), s.index());
        }
        share.warmUp(shards.get(0).rows(), shards.get(0).index());
    }

    /** The shards' gradients of step {@code step} under {@code w}, merged, with the task's compute time. */
    GradientAccumulator step(int epoch, long stepInEpoch, long step, float[] w) throws Exception {
        long started = System.nanoTime();
        int n = shards.size();
        parallel(Math.min(threads, n), (t, ways) -> {
            for (int i = t; i < n; i += ways) {
                ShardGroupRDD.Shard s = shards.get(i);
                share.prepare(s.rows(), s.index(), epoch, stepInEpoch, step, batches[i]);
            }
        });
        List<Piece> pieces = pieces();
        lastPieces = pieces.size();
        float[][] grads = new float[pieces.size()][];
        LossStats[] stats = new LossStats[pieces.size()];
        parallel(Math.min(threads, pieces.size()), (t, ways) -> {
            for (int j = t; j < pieces.size(); j += ways) {
                Piece p = pieces.get(j);
                grads[j] = new float[w.length];
                stats[j] = share.node(batches[p.shard()], w, p.level(), p.index(), grads[j]);
            }
        });
        GradientAccumulator merged = GradientAccumulator.empty(share.partitions());
        int j = 0;
        for (int i = 0; i < n; i++) {
            // This shard's pieces are consecutive, in index order, all on one level: combine them pairwise up
            // the tree (a last piece without a right sibling moves up as it is).
            int first = j;
            while (j < pieces.size() && pieces.get(j).shard() == i) {
                j++;
            }
            float[] grad;
            LossStats total = LossStats.EMPTY;
            if (j == first) {
                grad = new float[w.length]; // a shard without rows this step adds zeros
            } else {
                for (int count = j - first; count > 1; count = (count + 1) / 2) {
                    for (int k = 0; 2 * k < count; k++) {
                        int l = first + 2 * k;
                        if (2 * k + 1 < count) {
                            stats[l] = Network.combine(grads[l], stats[l], grads[l + 1], stats[l + 1]);
                        }
                        grads[first + k] = grads[l];
                        stats[first + k] = stats[l];
                    }
                }
                grad = grads[first];
                total = stats[first];
            }
            merged.mergeInPlace(GradientAccumulator.ofPartition(share.partitions(), shards.get(i).index(), grad, total,
                    0));
        }
        return merged.computedIn(System.nanoTime() - started);
    }

    /** How many pieces the last step was computed in (one per shard with rows, or more to use every thread). */
    int lastPieces() {
        return lastPieces;
    }

    /**
     * What the threads compute: per shard with rows, its whole tree, or (with fewer shards than threads)
     * the nodes of the level that cuts it into about {@code threads / shards} aligned subtrees; shard by
     * shard, in index order.
     */
    private List<Piece> pieces() {
        int withRows = 0;
        for (PartitionShare.Batch b : batches) {
            withRows += b.rows > 0 ? 1 : 0;
        }
        int perShard = withRows == 0 ? 1 : (threads + withRows - 1) / withRows;
        int cut = 32 - Integer.numberOfLeadingZeros(perShard - 1); // levels below the root: 2^cut >= perShard
        List<Piece> out = new ArrayList<>();
        for (int i = 0; i < batches.length; i++) {
            int rows = batches[i].rows;
            if (rows == 0) {
                continue;
            }
            int level = Math.max(0, Network.treeLevels(rows) - cut);
            int nodes = (Network.leaves(rows) + (1 << level) - 1) >> level;
            for (int k = 0; k < nodes; k++) {
                out.add(new Piece(i, level, k));
            }
        }
        return out;
    }

    /** Work thread {@code t} of {@code ways} does. */
    private interface Part {
        void run(int t, int ways) throws Exception;
    }

    /** Runs {@code part} on {@code ways} threads (this one and helpers) and waits for all of them. */
    private static void parallel(int ways, Part part) throws Exception {
        if (ways <= 1) {
            part.run(0, 1);
            return;
        }
        List<Future<?>> helpers = new ArrayList<>();
        for (int t = 1; t < ways; t++) {
            int mine = t;
            helpers.add(HELPERS.submit(() -> {
                part.run(mine, ways);
                return null;
            }));
        }
        try {
            part.run(0, ways);
            for (Future<?> f : helpers) {
                f.get();
            }
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception c ? c : e;
        } finally {
            helpers.forEach(f -> f.cancel(true));
        }
    }
}
