package io.dendrite.datasets;

import java.io.Serializable;

/**
 * Up to a few thousand examples packed row-major: features as float32, or as uint8 for pixel data (4×
 * smaller), and float32 targets (a class index, or one value per output). This, not an object per row,
 * is what a cached training RDD holds. {@link #stats} counts what was read and skipped while building it.
 */
public final class ExampleBlock implements Serializable {
    private static final long serialVersionUID = 1L;

    private final int rows;
    private final int featureWidth;
    private final int targetWidth;
    private final float[] features;
    private final byte[] pixels;
    private final float[] targets;
    private final LoadStats stats;

    ExampleBlock(int rows, int featureWidth, int targetWidth, float[] features, byte[] pixels, float[] targets,
                 LoadStats stats) {
        this.rows = rows;
        this.featureWidth = featureWidth;
        this.targetWidth = targetWidth;
        this.features = features;
        this.pixels = pixels;
        this.targets = targets;
        this.stats = stats;
    }

    /**
     * A float32 block of {@code rows} rows over the given row-major arrays (kept, not copied), counted as
     * that many rows read and kept.
     */
    public static ExampleBlock ofFloats(int rows, int featureWidth, int targetWidth, float[] features,
                                        float[] targets) {
        if (features.length != rows * featureWidth || targets.length != rows * targetWidth) {
            throw new IllegalArgumentException("a block of " + rows + " rows needs " + rows * featureWidth
                    + " features and " + rows * targetWidth + " targets but got " + features.length + " and "
                    + targets.length);
        }
        LoadStats stats = new LoadStats();
        for (int r = 0; r < rows; r++) {
            stats.kept();
        }
        return new ExampleBlock(rows, featureWidth, targetWidth, features, null, targets, stats);
    }

    /**
     * A block standing for a partition that could not be read: no rows, and {@code stats} holding the
     * failure. {@link ShardedDataset#stats()} reports it on the driver without failing a task; anything
     * that reads its rows fails with the same message.
     */
    static ExampleBlock failed(int featureWidth, int targetWidth, LoadStats stats) {
        return new ExampleBlock(0, featureWidth, targetWidth, new float[0], null, new float[0], stats);
    }

    /** The message of the bad input this block stands for, or null for a block of rows. */
    public String failure() {
        return stats.failure();
    }

    private void requireRead() {
        if (stats.failure() != null) {
            throw new IllegalArgumentException(stats.failure());
        }
    }

    /** Examples in this block. */
    public int rows() {
        requireRead();
        return rows;
    }

    /** Features per example. */
    public int featureWidth() {
        return featureWidth;
    }

    /** Target values per example. */
    public int targetWidth() {
        return targetWidth;
    }

    /** True when features are stored as unsigned bytes. */
    public boolean isUint8() {
        return pixels != null;
    }

    /** Row-major targets (not a copy). */
    public float[] targets() {
        requireRead();
        return targets;
    }

    /** Rows read and skipped while building this block. */
    public LoadStats stats() {
        return stats;
    }

    /** Copies row {@code r}'s features into {@code out} at {@code off}, widening uint8 storage. */
    public void copyFeatures(int r, float[] out, int off) {
        requireRead();
        int base = r * featureWidth;
        if (pixels == null) {
            System.arraycopy(features, base, out, off, featureWidth);
        } else {
            for (int c = 0; c < featureWidth; c++) {
                out[off + c] = pixels[base + c] & 0xFF;
            }
        }
    }

    /** The uint8 features (not a copy), or null for float32 storage. */
    byte[] pixels() {
        return pixels;
    }

    /** All features as float32 (a copy for uint8 storage, the stored array otherwise). */
    public float[] featuresAsFloat() {
        requireRead();
        if (pixels == null) {
            return features;
        }
        float[] out = new float[rows * featureWidth];
        for (int i = 0; i < out.length; i++) {
            out[i] = pixels[i] & 0xFF;
        }
        return out;
    }

    /** The bytes the example payload occupies (features and targets), without object overhead. */
    public long payloadBytes() {
        return (long) rows * featureWidth * (pixels == null ? 4 : 1) + 4L * rows * targetWidth;
    }
}
