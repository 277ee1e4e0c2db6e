package io.dendrite.spark;

import io.dendrite.core.run.BatchPlan;
import io.dendrite.datasets.ExampleBlock;
import java.util.Iterator;
import java.util.function.Supplier;

/**
 * A shard read as a stream, never cached: the task reads it front to back once per epoch, holding one
 * shuffle window of rows at a time ({@code window} rows, shuffled from {@code (seed, epoch, shard, window
 * index)}). Steps take their positions in increasing order, so each window is read once; a stage restarted
 * mid-epoch reopens the stream and skips to the window its first step needs. The rows a position names
 * depend only on the input's order, the seed and the window size, so every grouping of shards into tasks
 * gives the same bits.
 */
final class StreamedRows implements ShardRows {
    private final Supplier<Iterator<ExampleBlock>> open;
    private final int shard;
    private final long total;
    private final int window;
    private Iterator<ExampleBlock> source;
    private ExampleBlock block;
    private int blockRow;
    private long read;
    private long loaded = -1;
    private int loadedRows;
    private float[] wx = new float[0];
    private float[] wy = new float[0];
    private int featureWidth;
    private int targetWidth = -1;
    private int[] order;
    private long orderWindow = -1;
    private long orderSeed;
    private int orderEpoch;

    /**
     * Shard {@code shard} of {@code total} rows (as the batch plan counts them), read from streams that
     * {@code open} opens at the first row.
     */
    StreamedRows(Supplier<Iterator<ExampleBlock>> open, int shard, long total, int window) {
        this.open = open;
        this.shard = shard;
        this.total = total;
        this.window = window;
    }

    @Override
    public long total() {
        return total;
    }

    @Override
    public int targetWidth() {
        if (targetWidth < 0) {
            load(0);
        }
        return targetWidth;
    }

    @Override
    public boolean sequential() {
        return true;
    }

    @Override
    public void copyPositions(long seed, int epoch, int shardIndex, long from, int count, float[] x, float[] y) {
        for (int i = 0; i < count; i++) {
            long position = from + i;
            long w = position / window;
            load(w);
            if (orderWindow != w || orderSeed != seed || orderEpoch != epoch) {
                order = BatchPlan.windowOrder(total, loadedRows, seed, epoch, shardIndex, w);
                orderWindow = w;
                orderSeed = seed;
                orderEpoch = epoch;
            }
            int r = order[(int) (position - w * window)];
            System.arraycopy(wx, r * featureWidth, x, i * featureWidth, featureWidth);
            System.arraycopy(wy, r * targetWidth, y, i * targetWidth, targetWidth);
        }
    }

    /** Makes window {@code w} the one held, reading forward (or reopening the stream to go back). */
    private void load(long w) {
        if (w == loaded) {
            return;
        }
        long start = w * window;
        if (source == null || start < read) {
            source = open.get();
            block = null;
            blockRow = 0;
            read = 0;
        }
        while (read < start) {
            read += skip(start - read);
        }
        int rows = (int) Math.min(window, total - start);
        for (int i = 0; i < rows; i++) {
            if (!advance()) {
                throw endedEarly();
            }
            if (targetWidth < 0) {
                featureWidth = block.featureWidth();
                targetWidth = block.targetWidth();
            }
            if (wx.length < rows * featureWidth) {
                wx = new float[rows * featureWidth];
                wy = new float[rows * targetWidth];
            }
            block.copyFeatures(blockRow, wx, i * featureWidth);
            System.arraycopy(block.targets(), blockRow * targetWidth, wy, i * targetWidth, targetWidth);
            blockRow++;
            read++;
        }
        if (start + rows == total && advance()) {
            throw new IllegalStateException("streamed shard " + shard + " holds more than the " + total + " rows the "
                    + "batch plan was made for; the training data changed under the trainer");
        }
        loaded = w;
        loadedRows = rows;
    }

    /** Skips at most {@code n} rows (a block's remainder at a time) and returns how many. */
    private long skip(long n) {
        if (!advance()) {
            throw endedEarly();
        }
        int k = (int) Math.min(n, block.rows() - blockRow);
        blockRow += k;
        return k;
    }

    private IllegalStateException endedEarly() {
        return new IllegalStateException("streamed shard " + shard + " ended after " + read + " rows but the batch "
                + "plan was made for " + total + "; the training data changed under the trainer");
    }

    /** Moves to a block with a row left to read; false at the end of the stream. */
    private boolean advance() {
        while (block == null || blockRow == block.rows()) {
            if (!source.hasNext()) {
                return false;
            }
            block = source.next();
            blockRow = 0;
            if (block.failure() != null) {
                throw new IllegalArgumentException("streamed shard " + shard + ": " + block.failure());
            }
        }
        return true;
    }
}
