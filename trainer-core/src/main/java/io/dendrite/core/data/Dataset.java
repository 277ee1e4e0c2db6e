package io.dendrite.core.data;

import io.dendrite.core.util.Checks;
import io.dendrite.core.util.Rng;
import java.util.Arrays;

/**
 * Examples held in one JVM: features and targets as contiguous row-major float32 blocks (never an
 * object per row). Targets are one class index per row for classification, or one value per output.
 * Construction validates shapes and that every value is finite; the arrays are not copied, and callers
 * must not change them afterwards.
 */
public final class Dataset {
    private final float[] features;
    private final float[] targets;
    private final int rows;
    private final int featureWidth;
    private final int targetWidth;

    private Dataset(float[] features, float[] targets, int rows, int featureWidth, int targetWidth) {
        this.features = features;
        this.targets = targets;
        this.rows = rows;
        this.featureWidth = featureWidth;
        this.targetWidth = targetWidth;
    }

    /** Wraps row-major blocks after checking their sizes and that every value is finite. */
    public static Dataset of(float[] features, int featureWidth, float[] targets, int targetWidth) {
        Checks.checkArgument(features != null && targets != null, "features and targets must not be null");
        Checks.checkArgument(featureWidth >= 1, "feature width must be >= 1 but was %s", featureWidth);
        Checks.checkArgument(targetWidth >= 1, "target width must be >= 1 but was %s", targetWidth);
        Checks.checkArgument(features.length > 0, "dataset is empty: it must hold at least one row");
        Checks.checkArgument(features.length % featureWidth == 0,
                "features hold %s values, which is not a whole number of rows of width %s", features.length, featureWidth);
        int rows = features.length / featureWidth;
        Checks.checkArgument(targets.length == (long) rows * targetWidth,
                "%s rows of features need %s target values (width %s) but got %s", rows, (long) rows * targetWidth,
                targetWidth, targets.length);
        Checks.allFinite("feature", features, 0, rows, featureWidth);
        Checks.allFinite("target", targets, 0, rows, targetWidth);
        return new Dataset(features, targets, rows, featureWidth, targetWidth);
    }

    /** Rows of features with one integer class label each. */
    public static Dataset ofLabels(float[][] rows, int[] labels) {
        Checks.checkArgument(rows != null && labels != null, "rows and labels must not be null");
        Checks.checkArgument(rows.length == labels.length, "%s feature rows but %s labels", rows.length, labels.length);
        Checks.checkArgument(rows.length > 0, "dataset is empty: it must hold at least one row");
        int w = rows[0].length;
        float[] x = new float[rows.length * w];
        float[] y = new float[rows.length];
        for (int i = 0; i < rows.length; i++) {
            Checks.checkArgument(rows[i].length == w, "row %s has %s features but row 0 has %s", i, rows[i].length, w);
            System.arraycopy(rows[i], 0, x, i * w, w);
            y[i] = labels[i];
        }
        return of(x, w, y, 1);
    }

    /** The number of examples. */
    public int rows() {
        return rows;
    }

    /** Features per example. */
    public int featureWidth() {
        return featureWidth;
    }

    /** Target values per example (1 for a class index). */
    public int targetWidth() {
        return targetWidth;
    }

    /** The row-major feature block (not a copy). */
    public float[] features() {
        return features;
    }

    /** The row-major target block (not a copy). */
    public float[] targets() {
        return targets;
    }

    /** The rows at {@code indices}, in that order, copied into a new dataset. */
    public Dataset select(int[] indices) {
        float[] x = new float[indices.length * featureWidth];
        float[] y = new float[indices.length * targetWidth];
        for (int i = 0; i < indices.length; i++) {
            int r = indices[i];
            Checks.checkArgument(r >= 0 && r < rows, "row index %s is outside [0, %s)", r, rows);
            System.arraycopy(features, r * featureWidth, x, i * featureWidth, featureWidth);
            System.arraycopy(targets, r * targetWidth, y, i * targetWidth, targetWidth);
        }
        return new Dataset(x, y, indices.length, featureWidth, targetWidth);
    }

    /**
     * A deterministic shuffled split: the first part holds {@code round(rows·(1 − secondFraction))} rows,
     * the second the rest, both in the shuffled order drawn from {@code seed}.
     */
    public Dataset[] split(double secondFraction, long seed) {
        Checks.checkArgument(secondFraction > 0 && secondFraction < 1,
                "split fraction must be in (0, 1) but was %s", secondFraction);
        int second = (int) Math.round(rows * secondFraction);
        Checks.checkArgument(second >= 1 && second < rows,
                "a %s split of %s rows leaves a part empty", secondFraction, rows);
        int[] order = new int[rows];
        Arrays.setAll(order, i -> i);
        new Rng(seed).shuffleInPlace(order);
        return new Dataset[] {
            select(Arrays.copyOfRange(order, 0, rows - second)),
            select(Arrays.copyOfRange(order, rows - second, rows))
        };
    }

    /** This dataset's features transformed by {@code scaler}; targets are shared. */
    public Dataset scaled(FeatureScaler scaler) {
        float[] x = features.clone();
        scaler.transformInPlace(x, 0, rows);
        return new Dataset(x, targets, rows, featureWidth, targetWidth);
    }

    /** The number of distinct class labels, {@code max + 1}, for integer-labelled data. */
    public int classCount() {
        Checks.checkArgument(targetWidth == 1, "class count needs one label per row but the target width is %s",
                targetWidth);
        int max = 0;
        for (float t : targets) {
            max = Math.max(max, (int) t);
        }
        return max + 1;
    }
}
