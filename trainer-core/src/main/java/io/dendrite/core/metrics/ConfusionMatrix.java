package io.dendrite.core.metrics;

import io.dendrite.core.util.Checks;

/**
 * Counts of (true class, predicted class) pairs, with accuracy and per-class precision, recall and F1.
 * A class that was never predicted (or never present) has precision (or recall) 0, as scikit-learn
 * reports with {@code zero_division=0}.
 */
public final class ConfusionMatrix {
    private final long[][] counts;

    private ConfusionMatrix(long[][] counts) {
        this.counts = counts;
    }

    /** Tallies {@code truth[i]} against {@code predicted[i]} for {@code classes} classes. */
    public static ConfusionMatrix of(int[] truth, int[] predicted, int classes) {
        Checks.checkArgument(truth.length == predicted.length, "%s true labels but %s predictions", truth.length,
                predicted.length);
        Checks.atLeast("classes", classes, 2);
        long[][] c = new long[classes][classes];
        for (int i = 0; i < truth.length; i++) {
            Checks.checkArgument(truth[i] >= 0 && truth[i] < classes, "true label %s at row %s is outside [0, %s)",
                    truth[i], i, classes);
            Checks.checkArgument(predicted[i] >= 0 && predicted[i] < classes,
                    "predicted label %s at row %s is outside [0, %s)", predicted[i], i, classes);
            c[truth[i]][predicted[i]]++;
        }
        return new ConfusionMatrix(c);
    }

    /** The number of classes. */
    public int classes() {
        return counts.length;
    }

    /** How many examples of class {@code truth} were predicted as {@code predicted}. */
    public long count(int truth, int predicted) {
        return counts[truth][predicted];
    }

    /** All examples tallied. */
    public long total() {
        long t = 0;
        for (long[] row : counts) {
            for (long v : row) {
                t += v;
            }
        }
        return t;
    }

    /** Fraction predicted right. */
    public double accuracy() {
        long right = 0;
        for (int i = 0; i < counts.length; i++) {
            right += counts[i][i];
        }
        return total() == 0 ? Double.NaN : (double) right / total();
    }

    /** Of the examples predicted as {@code c}, the fraction that are {@code c}. */
    public double precision(int c) {
        long predicted = 0;
        for (long[] row : counts) {
            predicted += row[c];
        }
        return predicted == 0 ? 0 : (double) counts[c][c] / predicted;
    }

    /** Of the examples of class {@code c}, the fraction predicted as {@code c}. */
    public double recall(int c) {
        long actual = 0;
        for (long v : counts[c]) {
            actual += v;
        }
        return actual == 0 ? 0 : (double) counts[c][c] / actual;
    }

    /** The harmonic mean of precision and recall of class {@code c}. */
    public double f1(int c) {
        double p = precision(c);
        double r = recall(c);
        return p + r == 0 ? 0 : 2 * p * r / (p + r);
    }

    /** The unweighted mean F1 over classes. */
    public double macroF1() {
        double s = 0;
        for (int c = 0; c < counts.length; c++) {
            s += f1(c);
        }
        return s / counts.length;
    }

    /** A table: one row per true class, one column per predicted class. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("true\\pred");
        for (int c = 0; c < counts.length; c++) {
            sb.append(String.format("%7d", c));
        }
        for (int t = 0; t < counts.length; t++) {
            sb.append(String.format("%n%9d", t));
            for (int p = 0; p < counts.length; p++) {
                sb.append(String.format("%7d", counts[t][p]));
            }
        }
        return sb.toString();
    }
}
