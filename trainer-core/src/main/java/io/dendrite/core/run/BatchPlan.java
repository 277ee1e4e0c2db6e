package io.dendrite.core.run;

import io.dendrite.core.util.Checks;
import io.dendrite.core.util.Rng;
import java.math.BigInteger;

/**
 * Which examples each step trains on, for data held in one or many partitions. An epoch is
 * {@code ceil(N / B)} steps; the global positions {@code [s·B, (s+1)·B)} of step {@code s} map to each
 * partition in proportion to its size ({@code floor(position · n_p / N)}), so uneven partitions weigh
 * correctly, every example is visited once per epoch, and a step's shares add up to {@code B} within
 * one example per partition. Each partition walks its rows in an order shuffled per epoch from
 * {@code (seed, epoch, partition)}. The single-JVM trainer is the one-partition case, which is what
 * makes the distributed trainer on one partition equal to it bit for bit.
 */
public final class BatchPlan {
    private BatchPlan() {
    }

    /** Steps in one epoch over {@code rows} examples with global batch {@code batch}. */
    public static long stepsPerEpoch(long rows, int batch) {
        Checks.checkArgument(rows >= 1, "an epoch needs at least one example but there are %s", rows);
        Checks.atLeast("batch size", batch, 1);
        return (rows + batch - 1) / batch;
    }

    /**
     * The half-open range {@code [from, to)} of positions in a partition's shuffled order that step
     * {@code stepInEpoch} takes from a partition of {@code partitionRows} out of {@code totalRows}.
     */
    public static long[] range(long partitionRows, long totalRows, int batch, long stepInEpoch) {
        Checks.checkArgument(partitionRows >= 0 && partitionRows <= totalRows,
                "partition rows must be in [0, %s] but were %s", totalRows, partitionRows);
        long start = Math.min(totalRows, stepInEpoch * batch);
        long end = Math.min(totalRows, start + batch);
        return new long[] {cumulative(partitionRows, totalRows, start), cumulative(partitionRows, totalRows, end)};
    }

    /** The order a partition visits its rows in during {@code epoch}: a seeded permutation of {@code 0..rows-1}. */
    public static int[] order(int rows, long seed, long epoch, int partition) {
        return permutation(rows, Streams.shuffle(seed, epoch, partition));
    }

    /**
     * The order a streamed partition visits the rows of shuffle window {@code window} (its rows
     * {@code [window·W, window·W + rows)} as read) during {@code epoch}: a seeded permutation of
     * {@code 0..rows-1}. A stream is read once per epoch, so rows are shuffled within windows of {@code W}
     * rows rather than across the partition. A window holding the whole partition is shuffled as a cached
     * partition is ({@link #order}), so streaming with a window at least the partition's size gives the
     * bits of training on the cached data.
     */
    public static int[] windowOrder(long partitionRows, int rows, long seed, long epoch, int partition, long window) {
        if (window == 0 && rows == partitionRows) {
            return order(rows, seed, epoch, partition);
        }
        return permutation(rows, Streams.windowShuffle(seed, epoch, partition, window));
    }

    private static int[] permutation(int rows, long seed) {
        int[] order = new int[rows];
        for (int i = 0; i < rows; i++) {
            order[i] = i;
        }
        new Rng(seed).shuffleInPlace(order);
        return order;
    }


    private static long cumulative(long partitionRows, long totalRows, long position) {
        long lo = position * partitionRows;
        if (Math.multiplyHigh(position, partitionRows) == 0 && lo >= 0) {
            return lo / totalRows;
        }
        return BigInteger.valueOf(position).multiply(BigInteger.valueOf(partitionRows))
                .divide(BigInteger.valueOf(totalRows)).longValueExact();
    }
}
