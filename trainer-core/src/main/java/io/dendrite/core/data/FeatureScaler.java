package io.dendrite.core.data;

import io.dendrite.core.util.Checks;
import java.io.Serializable;
import java.util.Arrays;
import java.util.Locale;

/**
 * A per-feature affine map {@code x' = (x − shift)·scale}, fitted on training data and carried with the
 * model so that scoring applies exactly the same transform.
 */
public record FeatureScaler(Kind kind, float[] shift, float[] scale) implements Serializable {

    /** How the map was fitted. */
    public enum Kind { NONE, STANDARD, MIN_MAX, CONSTANT }

    /** Validates that shift and scale agree and are finite. */
    public FeatureScaler {
        Checks.checkArgument(kind != null, "scaler kind must not be null");
        Checks.checkArgument(shift != null && scale != null && shift.length == scale.length,
                "scaler shift and scale must have the same length");
        Checks.allFinite("scaler shift", shift, 0, 1, shift.length);
        Checks.allFinite("scaler scale", scale, 0, 1, scale.length);
    }

    /** The identity on {@code width} features. */
    public static FeatureScaler none(int width) {
        float[] ones = new float[width];
        Arrays.fill(ones, 1f);
        return new FeatureScaler(Kind.NONE, new float[width], ones);
    }

    /** Divides every feature by {@code divisor} (e.g. 255 for pixels). */
    public static FeatureScaler constant(int width, float divisor) {
        Checks.positive("scaling divisor", divisor);
        float[] s = new float[width];
        Arrays.fill(s, 1f / divisor);
        return new FeatureScaler(Kind.CONSTANT, new float[width], s);
    }

    /** Zero mean and unit variance per feature; a constant feature is only centred. */
    public static FeatureScaler standard(Dataset data) {
        int w = data.featureWidth();
        double[] mean = new double[w];
        double[] sq = new double[w];
        float[] x = data.features();
        for (int r = 0; r < data.rows(); r++) {
            for (int c = 0; c < w; c++) {
                mean[c] += x[r * w + c];
            }
        }
        for (int c = 0; c < w; c++) {
            mean[c] /= data.rows();
        }
        for (int r = 0; r < data.rows(); r++) {
            for (int c = 0; c < w; c++) {
                double d = x[r * w + c] - mean[c];
                sq[c] += d * d;
            }
        }
        float[] shift = new float[w];
        float[] scale = new float[w];
        for (int c = 0; c < w; c++) {
            double std = Math.sqrt(sq[c] / data.rows());
            shift[c] = (float) mean[c];
            scale[c] = std > 1e-12 ? (float) (1.0 / std) : 1f;
        }
        return new FeatureScaler(Kind.STANDARD, shift, scale);
    }

    /** Maps each feature's training range onto [0, 1]; a constant feature is only shifted. */
    public static FeatureScaler minMax(Dataset data) {
        int w = data.featureWidth();
        float[] lo = new float[w];
        float[] hi = new float[w];
        Arrays.fill(lo, Float.POSITIVE_INFINITY);
        Arrays.fill(hi, Float.NEGATIVE_INFINITY);
        float[] x = data.features();
        for (int r = 0; r < data.rows(); r++) {
            for (int c = 0; c < w; c++) {
                lo[c] = Math.min(lo[c], x[r * w + c]);
                hi[c] = Math.max(hi[c], x[r * w + c]);
            }
        }
        float[] scale = new float[w];
        for (int c = 0; c < w; c++) {
            scale[c] = hi[c] > lo[c] ? 1f / (hi[c] - lo[c]) : 1f;
        }
        return new FeatureScaler(Kind.MIN_MAX, lo, scale);
    }

    /** The number of features this scaler expects. */
    public int width() {
        return shift.length;
    }

    /** The lower-case name used in model files. */
    public String id() {
        return kind.name().toLowerCase(Locale.ROOT);
    }

    /** Applies the map to {@code rows} row-major rows starting at {@code off}. */
    public void transformInPlace(float[] x, int off, int rows) {
        if (kind == Kind.NONE) {
            return;
        }
        int w = shift.length;
        for (int r = 0; r < rows; r++) {
            int base = off + r * w;
            for (int c = 0; c < w; c++) {
                x[base + c] = (x[base + c] - shift[c]) * scale[c];
            }
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FeatureScaler f && kind == f.kind && Arrays.equals(shift, f.shift)
                && Arrays.equals(scale, f.scale);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * kind.hashCode() + Arrays.hashCode(shift)) + Arrays.hashCode(scale);
    }

    @Override
    public String toString() {
        return "FeatureScaler[" + id() + ", width " + width() + "]";
    }
}
