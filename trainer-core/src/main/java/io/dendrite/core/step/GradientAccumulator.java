package io.dendrite.core.step;

import io.dendrite.core.loss.LossStats;
import io.dendrite.core.util.Checks;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The mergeable result of one step's gradient work: summed gradient, example count, loss sum and
 * correct count, per partition of the training data, merged into one.
 *
 * <p>Float addition is not associative, and Spark merges task results in the order tasks finish. To
 * make a step a pure function of its inputs (the same seed and partitioning give the same weights bit
 * for bit), sums follow one fixed binary tree over partition indices whatever the arrival order: a node
 * {@code (level, index)} covers partitions {@code [index·2^level, (index+1)·2^level)}, and two siblings
 * are added left plus right into their parent as soon as both are present. A node without a right
 * sibling (past the last partition) moves up unchanged. Merging thus also shrinks what is held, as a
 * tree reduction should.
 */
public final class GradientAccumulator implements Serializable {
    private static final long serialVersionUID = 1L;

    private final int partitions;
    /** Nodes waiting for their sibling, keyed by {@code level << 32 | index}. */
    private final TreeMap<Long, Node> nodes = new TreeMap<>();
    private long mergeNanos;
    private long transferNanos;

    /** The part of the result covering one node of the tree. */
    public static final class Node implements Serializable {
        private static final long serialVersionUID = 1L;
        final int level;
        final int index;
        float[] gradient;
        double lossSum;
        long count;
        long correct;
        long computeNanos;

        /** A node; the accumulator takes ownership of {@code gradient}. */
        public Node(int level, int index, float[] gradient, double lossSum, long count, long correct,
                    long computeNanos) {
            this.level = level;
            this.index = index;
            this.gradient = gradient;
            this.lossSum = lossSum;
            this.count = count;
            this.correct = correct;
            this.computeNanos = computeNanos;
        }

        /** The tree level (0 for one partition's own result). */
        public int level() {
            return level;
        }

        /** The node's index within its level. */
        public int index() {
            return index;
        }

        /** The summed gradient of the partitions under this node (live). */
        public float[] gradient() {
            return gradient;
        }

        /** The loss sum, example count and correct count under this node. */
        public LossStats stats() {
            return new LossStats(lossSum, count, correct);
        }

        /** The slowest compute time of the partitions under this node. */
        public long computeNanos() {
            return computeNanos;
        }
    }

    private GradientAccumulator(int partitions) {
        this.partitions = Checks.atLeast("partitions", partitions, 1);
    }

    /** Nothing yet, for a step over {@code partitions} partitions (the zero value of a reduction). */
    public static GradientAccumulator empty(int partitions) {
        return new GradientAccumulator(partitions);
    }

    /**
     * One partition's result: its summed gradient (owned from now on), loss statistics and how long the
     * computation took.
     */
    public static GradientAccumulator ofPartition(int partitions, int partition, float[] gradientSum, LossStats stats,
                                                  long computeNanos) {
        Checks.checkArgument(partition >= 0 && partition < partitions, "partition %s is outside [0, %s)", partition,
                partitions);
        GradientAccumulator a = new GradientAccumulator(partitions);
        a.insert(new Node(0, partition, gradientSum, stats.lossSum(), stats.count(), stats.correct(), computeNanos));
        return a;
    }

    /**
     * Rebuilds an accumulator from its parts (for serializers); {@code transferNanos} adds the time the
     * caller spent reading it to what it carried.
     */
    public static GradientAccumulator restore(int partitions, Collection<Node> nodes, long mergeNanos,
                                              long transferNanos) {
        GradientAccumulator a = new GradientAccumulator(partitions);
        for (Node n : nodes) {
            a.nodes.put(key(n.level, n.index), n);
        }
        a.mergeNanos = mergeNanos;
        a.transferNanos = transferNanos;
        return a;
    }

    /**
     * Records that one task computed everything held here, one part after another, in {@code nanos}: the
     * compute time of each node becomes the task's, so the slowest task's time is what the merged result
     * reports (the time of its slowest part would understate a task of several).
     */
    public GradientAccumulator computedIn(long nanos) {
        for (Node n : nodes.values()) {
            n.computeNanos = nanos;
        }
        return this;
    }

    /** How many partitions the step runs over. */
    public int partitions() {
        return partitions;
    }

    /** The nodes held, in tree order (for serializers). */
    public Collection<Node> nodes() {
        return Collections.unmodifiableCollection(nodes.values());
    }

    /** Time spent adding gradients together, summed over every merge so far. */
    public long mergeNanos() {
        return mergeNanos;
    }

    /** Time spent deserialising the parts that arrived from other JVMs, summed. */
    public long transferNanos() {
        return transferNanos;
    }

    /** Folds {@code other} into this one (taking ownership of its arrays) and returns this. */
    public GradientAccumulator mergeInPlace(GradientAccumulator other) {
        Checks.checkArgument(other.partitions == partitions,
                "cannot merge results of a step over %s partitions into one over %s", other.partitions, partitions);
        long started = System.nanoTime();
        for (Node n : new ArrayList<>(other.nodes.values())) {
            insert(n);
        }
        mergeNanos += other.mergeNanos + (System.nanoTime() - started);
        transferNanos += other.transferNanos;
        return this;
    }

    private void insert(Node n) {
        int root = rootLevel(partitions);
        while (true) {
            long k = key(n.level, n.index);
            Checks.checkArgument(!nodes.containsKey(k), "partitions [%s, %s) were counted twice",
                    first(n), Math.min(partitions, first(n) + (1L << n.level)));
            if (n.level == root) {
                nodes.put(k, n);
                return;
            }
            int siblingIndex = n.index ^ 1;
            if (first(n.level, siblingIndex) >= partitions) {
                n = promote(n);
            } else {
                Node sibling = nodes.remove(key(n.level, siblingIndex));
                if (sibling == null) {
                    nodes.put(k, n);
                    return;
                }
                Node left = (n.index & 1) == 0 ? n : sibling;
                Node right = left == n ? sibling : n;
                n = add(left, right);
            }
        }
    }

    private static Node promote(Node n) {
        return new Node(n.level + 1, n.index >> 1, n.gradient, n.lossSum, n.count, n.correct, n.computeNanos);
    }

    private static Node add(Node left, Node right) {
        float[] sum = left.gradient;
        float[] r = right.gradient;
        Checks.checkArgument(sum.length == r.length, "gradients of %s and %s parameters cannot be added",
                sum.length, r.length);
        for (int i = 0; i < sum.length; i++) {
            sum[i] += r[i];
        }
        return new Node(left.level + 1, left.index >> 1, sum, left.lossSum + right.lossSum, left.count + right.count,
                left.correct + right.correct, Math.max(left.computeNanos, right.computeNanos));
    }

    /**
     * The whole step's result; fails naming the partitions whose results are missing, since training on
     * part of a batch without saying so would be silent data loss.
     */
    public Node total() {
        Node root = nodes.get(key(rootLevel(partitions), 0));
        if (root == null || nodes.size() != 1) {
            List<String> have = new ArrayList<>();
            for (Node n : nodes.values()) {
                have.add("[" + first(n) + ", " + Math.min(partitions, first(n) + (1L << n.level)) + ")");
            }
            throw new IllegalStateException("the step's result covers only partitions " + have + " of "
                    + partitions);
        }
        return root;
    }

    /** The level of the tree's root for {@code partitions} leaves. */
    static int rootLevel(int partitions) {
        return 32 - Integer.numberOfLeadingZeros(partitions - 1);
    }

    private static long key(int level, int index) {
        return ((long) level << 32) | index;
    }

    private static long first(Node n) {
        return first(n.level, n.index);
    }

    private static long first(int level, int index) {
        return (long) index << level;
    }

    /** For messages. */
    @Override
    public String toString() {
        Map<String, Long> counts = new TreeMap<>();
        nodes.values().forEach(n -> counts.put(n.level + ":" + n.index, n.count));
        return "GradientAccumulator{partitions=" + partitions + ", nodes=" + counts + "}";
    }
}
