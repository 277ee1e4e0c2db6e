package io.dendrite.core.util;

/**
 * One-line checks: arguments at the public edge fail with {@link IllegalArgumentException}, broken state or
 * protocol with {@link IllegalStateException}.
 */
public final class Checks {
    private Checks() {
    }

    /** Fails with the formatted message when {@code condition} is false. */
    public static void checkArgument(boolean condition, String format, Object... args) {
        if (!condition) {
            throw new IllegalArgumentException(String.format(format, args));
        }
    }

    /** Throws {@link IllegalStateException} with the formatted message when {@code condition} is false. */
    public static void checkState(boolean condition, String format, Object... args) {
        if (!condition) {
            throw new IllegalStateException(String.format(format, args));
        }
    }

    /** A value that must be finite and strictly positive, e.g. a learning rate. */
    public static float positive(String name, float value) {
        checkArgument(Float.isFinite(value) && value > 0, "%s must be a finite number > 0 but was %s", name, value);
        return value;
    }

    /** A value that must be finite and at least zero, e.g. a penalty strength. */
    public static float nonNegative(String name, float value) {
        checkArgument(Float.isFinite(value) && value >= 0, "%s must be a finite number >= 0 but was %s", name, value);
        return value;
    }

    /** A value that must lie in [lo, hi). */
    public static float inRange(String name, float value, float lo, float hi) {
        checkArgument(value >= lo && value < hi, "%s must be in [%s, %s) but was %s", name, lo, hi, value);
        return value;
    }

    /** A count that must be at least {@code min}. */
    public static int atLeast(String name, int value, int min) {
        checkArgument(value >= min, "%s must be >= %s but was %s", name, min, value);
        return value;
    }

    /** Fails naming the first NaN or infinite entry of a row-major block. */
    public static void allFinite(String what, float[] values, int offset, int rows, int width) {
        for (int r = 0; r < rows; r++) {
            int base = offset + r * width;
            for (int c = 0; c < width; c++) {
                float v = values[base + c];
                if (!Float.isFinite(v)) {
                    throw new IllegalArgumentException(String.format(
                            "%s row %d column %d must be a finite number but was %s", what, r, c, v));
                }
            }
        }
    }
}
