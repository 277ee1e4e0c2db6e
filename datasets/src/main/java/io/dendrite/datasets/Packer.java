package io.dendrite.datasets;

import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * Packs a partition's rows into {@link ExampleBlock}s of at most {@code blockRows} rows, lazily (a block
 * is built when asked for, so an uncached pass holds one block at a time), applying the bad-row policy.
 * A partition always yields at least one block, so its read/skip counts are never lost. Under the error
 * policy a bad row ends the partition with a block standing for the failure ({@link ExampleBlock#failure()}).
 */
final class Packer implements Iterator<ExampleBlock> {
    private final RowSource source;
    private final int featureWidth;
    private final int targetWidth;
    private final Storage storage;
    private final int blockRows;
    private final BadRowPolicy policy;
    private final float[] x;
    private final float[] y;
    private ExampleBlock pending;
    private boolean exhausted;
    private boolean emitted;

    Packer(RowSource source, int featureWidth, int targetWidth, Storage storage, int blockRows, BadRowPolicy policy) {
        this.source = source;
        this.featureWidth = featureWidth;
        this.targetWidth = targetWidth;
        this.storage = storage;
        this.blockRows = blockRows;
        this.policy = policy;
        this.x = new float[featureWidth];
        this.y = new float[targetWidth];
    }

    @Override
    public boolean hasNext() {
        if (pending == null && !exhausted) {
            pending = build();
        }
        return pending != null;
    }

    @Override
    public ExampleBlock next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        ExampleBlock b = pending;
        pending = null;
        emitted = true;
        return b;
    }

    private ExampleBlock build() {
        int cap = Math.min(blockRows, 256);
        float[] features = storage == Storage.FLOAT32 ? new float[cap * featureWidth] : null;
        byte[] pixels = storage == Storage.UINT8 ? new byte[cap * featureWidth] : null;
        float[] targets = new float[cap * targetWidth];
        LoadStats stats = new LoadStats();
        int rows = 0;
        while (rows < blockRows) {
            try {
                if (!source.next(x, y)) {
                    exhausted = true;
                    break;
                }
                check(source.where());
            } catch (BadRowException e) {
                if (policy == BadRowPolicy.ERROR) {
                    return failed(e);
                }
                stats.skipped(e);
                continue;
            } catch (IllegalArgumentException e) { // a header that differs: the input, not a row, is bad
                return failed(e);
            }
            if (rows == cap) {
                cap = Math.min(blockRows, cap * 2);
                features = features == null ? null : Arrays.copyOf(features, cap * featureWidth);
                pixels = pixels == null ? null : Arrays.copyOf(pixels, cap * featureWidth);
                targets = Arrays.copyOf(targets, cap * targetWidth);
            }
            int base = rows * featureWidth;
            if (pixels == null) {
                System.arraycopy(x, 0, features, base, featureWidth);
            } else {
                for (int c = 0; c < featureWidth; c++) {
                    pixels[base + c] = (byte) (int) x[c];
                }
            }
            System.arraycopy(y, 0, targets, rows * targetWidth, targetWidth);
            rows++;
            stats.kept();
        }
        if (rows == 0 && stats.read() == 0 && emitted) {
            return null;
        }
        int n = rows * featureWidth;
        return new ExampleBlock(rows, featureWidth, targetWidth,
                features == null ? null : Arrays.copyOf(features, n), pixels == null ? null : Arrays.copyOf(pixels, n),
                Arrays.copyOf(targets, rows * targetWidth), stats);
    }

    /**
     * Ends the partition with a block that stands for its failure: the task succeeds, so Spark does not
     * retry a deterministic input error, and the driver reports it ({@link ShardedDataset#stats()}).
     */
    private ExampleBlock failed(IllegalArgumentException e) {
        exhausted = true;
        LoadStats stats = new LoadStats();
        org.apache.spark.TaskContext task = org.apache.spark.TaskContext.get();
        stats.failed(task == null ? 0 : task.partitionId(), e.getMessage());
        return ExampleBlock.failed(featureWidth, targetWidth, stats);
    }

    private void check(String where) {
        for (int c = 0; c < featureWidth; c++) {
            if (!Float.isFinite(x[c])) {
                throw new BadRowException(BadRowException.Problem.NOT_FINITE,
                        where + " feature " + c + ": expected a finite number but found " + x[c]);
            }
            if (storage == Storage.UINT8 && (x[c] < 0 || x[c] > 255 || x[c] != Math.rint(x[c]))) {
                throw new BadRowException(BadRowException.Problem.NOT_A_BYTE,
                        where + " feature " + c + ": uint8 storage needs a whole number in [0, 255] but found " + x[c]);
            }
        }
        for (int t = 0; t < targetWidth; t++) {
            if (!Float.isFinite(y[t])) {
                throw new BadRowException(BadRowException.Problem.NOT_FINITE,
                        where + " target " + t + ": expected a finite number but found " + y[t]);
            }
        }
    }
}
