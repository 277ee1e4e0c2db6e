package io.dendrite.spark;

/**
 * A shard's rows as a step reads them. A step takes a run of positions from the shard's order for the
 * epoch ({@link io.dendrite.core.run.BatchPlan#range}); what that order is depends on how the shard is held:
 * a cached shard is shuffled whole per epoch, a streamed one within windows as it is read.
 */
interface ShardRows {
    /** The shard's rows. */
    long total();

    /** Target values per row. */
    int targetWidth();

    /** Whether positions are cheap only in increasing order (a stream): the warm-up then stays on step 0. */
    boolean sequential();

    /**
     * Copies positions {@code [from, from + count)} of shard {@code shard}'s order in {@code epoch} to rows
     * {@code 0..count-1} of {@code x} and {@code y}.
     */
    void copyPositions(long seed, int epoch, int shard, long from, int count, float[] x, float[] y);
}
