package io.dendrite.spark;

import io.dendrite.core.kernel.Kernels;
import io.dendrite.core.loss.Loss;
import io.dendrite.core.nn.Network;
import io.dendrite.core.nn.NetworkSpec;
import io.dendrite.core.nn.Workspace;
import io.dendrite.core.run.BatchPlan;
import io.dendrite.datasets.ExampleBlock;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What an executor keeps between steps so a step allocates little: per task thread, the compiled
 * network and its workspace; per JVM, each partition's shuffled order of the current
 * epoch. Only caches: every value is recomputed from the task's inputs when absent, so a step stays a
 * pure function of the published weights and the cursor.
 */
final class ExecutorScratch {
    private static final ThreadLocal<ExecutorScratch> LOCAL = new ThreadLocal<>();
    private static final int ORDERS_KEPT = 64;
    private static final Map<List<Long>, int[]> ORDERS = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<List<Long>, int[]> eldest) {
            return size() > ORDERS_KEPT;
        }
    };

    final NetworkSpec spec;
    final Loss loss;
    final Network network;
    final Workspace workspace;
    /** The warm-up's batch. */
    final PartitionShare.Batch batch = new PartitionShare.Batch();

    private ExecutorScratch(NetworkSpec spec, Loss loss) {
        this.spec = spec;
        this.loss = loss;
        this.network = new Network(spec, loss, Kernels.get());
        this.workspace = network.newWorkspace();
    }

    /** This thread's scratch for {@code spec} and {@code loss}. */
    static ExecutorScratch get(NetworkSpec spec, Loss loss) {
        ExecutorScratch s = LOCAL.get();
        if (s == null || !s.spec.equals(spec) || !s.loss.equals(loss)) {
            s = new ExecutorScratch(spec, loss);
            LOCAL.set(s);
        }
        return s;
    }

    /** A partition's order for an epoch (shared, read-only). */
    static int[] order(int rows, long seed, long epoch, int partition) {
        List<Long> key = List.of(seed, epoch, (long) partition, (long) rows);
        synchronized (ORDERS) {
            int[] o = ORDERS.get(key);
            if (o != null) {
                return o;
            }
        }
        int[] o = BatchPlan.order(rows, seed, epoch, partition);
        synchronized (ORDERS) {
            ORDERS.put(key, o);
        }
        return o;
    }

    /**
     * A cached partition's blocks with the first row index of each, for random access by row; it is
     * shuffled whole per epoch.
     */
    record Rows(List<ExampleBlock> blocks, long[] starts, long total) implements ShardRows {
        static Rows of(Iterator<ExampleBlock> it) {
            List<ExampleBlock> blocks = new ArrayList<>();
            it.forEachRemaining(blocks::add);
            long[] starts = new long[blocks.size()];
            long total = 0;
            for (int i = 0; i < starts.length; i++) {
                starts[i] = total;
                total += blocks.get(i).rows();
            }
            return new Rows(blocks, starts, total);
        }

        @Override
        public int targetWidth() {
            return blocks.get(0).targetWidth();
        }

        @Override
        public boolean sequential() {
            return false;
        }

        @Override
        public void copyPositions(long seed, int epoch, int shard, long from, int count, float[] x, float[] y) {
            int[] order = order((int) total, seed, epoch, shard);
            for (int i = 0; i < count; i++) {
                copy(order[(int) from + i], i, x, y);
            }
        }

        /** Copies row {@code r}'s features and targets to row {@code i} of the buffers. */
        void copy(long r, int i, float[] x, float[] y) {
            int b = java.util.Arrays.binarySearch(starts, r);
            if (b < 0) {
                b = -b - 2;
            }
            while (b + 1 < starts.length && starts[b + 1] == r) {
                b++; // skip empty blocks
            }
            ExampleBlock block = blocks.get(b);
            int local = (int) (r - starts[b]);
            int fw = block.featureWidth();
            int tw = block.targetWidth();
            block.copyFeatures(local, x, i * fw);
            System.arraycopy(block.targets(), local * tw, y, i * tw, tw);
        }
    }
}
