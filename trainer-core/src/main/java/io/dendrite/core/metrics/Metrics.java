package io.dendrite.core.metrics;

import io.dendrite.core.util.Checks;
import java.util.Arrays;

/** Classification and regression metrics over plain arrays. */
public final class Metrics {
    private static final double PROBABILITY_FLOOR = 1e-15;

    private Metrics() {
    }

    /**
     * Mean negative log-likelihood of the true class, with probabilities clipped to [1e-15, 1 − 1e-15] as
     * scikit-learn's {@code log_loss} does. {@code probs} is row-major {@code rows × classes}.
     */
    public static double logLoss(float[] probs, int classes, int[] truth) {
        Checks.checkArgument(probs.length == (long) truth.length * classes,
                "%s labels with %s classes need %s probabilities but got %s", truth.length, classes,
                (long) truth.length * classes, probs.length);
        double s = 0;
        for (int i = 0; i < truth.length; i++) {
            double p = probs[i * classes + truth[i]];
            s -= Math.log(Math.min(Math.max(p, PROBABILITY_FLOOR), 1 - PROBABILITY_FLOOR));
        }
        return s / truth.length;
    }

    /**
     * Area under the ROC curve for a binary problem: the probability that a random positive scores above a
     * random negative, ties counting one half (the Mann–Whitney statistic with average ranks).
     */
    public static double rocAuc(float[] scores, int[] truth) {
        Checks.checkArgument(scores.length == truth.length, "%s scores but %s labels", scores.length, truth.length);
        Integer[] order = new Integer[scores.length];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, (a, b) -> Float.compare(scores[a], scores[b]));
        long positives = 0;
        double rankSum = 0;
        int i = 0;
        while (i < order.length) {
            int j = i;
            while (j + 1 < order.length && scores[order[j + 1]] == scores[order[i]]) {
                j++;
            }
            double averageRank = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) {
                int label = truth[order[k]];
                Checks.checkArgument(label == 0 || label == 1, "ROC AUC needs labels 0 or 1 but row %s has %s",
                        order[k], label);
                if (label == 1) {
                    positives++;
                    rankSum += averageRank;
                }
            }
            i = j + 1;
        }
        long negatives = scores.length - positives;
        Checks.checkArgument(positives > 0 && negatives > 0,
                "ROC AUC needs both classes but got %s positives and %s negatives", positives, negatives);
        return (rankSum - positives * (positives + 1) / 2.0) / ((double) positives * negatives);
    }

    /** Index of the largest value in each row of a row-major {@code rows × width} block. */
    public static int[] argmaxRows(float[] values, int width) {
        int rows = values.length / width;
        int[] out = new int[rows];
        for (int r = 0; r < rows; r++) {
            int best = 0;
            for (int c = 1; c < width; c++) {
                if (values[r * width + c] > values[r * width + best]) {
                    best = c;
                }
            }
            out[r] = best;
        }
        return out;
    }
}
