package io.dendrite.core.metrics;

import io.dendrite.core.util.Checks;

/**
 * Regression errors averaged over every output value, and R² averaged uniformly over outputs
 * (scikit-learn's {@code multioutput='uniform_average'}).
 */
public record RegressionMetrics(double mse, double rmse, double mae, double r2) {

    /** Compares row-major predictions with targets of the same {@code rows × width} shape. */
    public static RegressionMetrics of(float[] predicted, float[] truth, int width) {
        Checks.checkArgument(predicted.length == truth.length, "%s predictions but %s targets", predicted.length,
                truth.length);
        Checks.checkArgument(truth.length > 0 && truth.length % width == 0,
                "targets must be a non-empty whole number of rows of width %s", width);
        int rows = truth.length / width;
        double se = 0;
        double ae = 0;
        double r2Sum = 0;
        for (int c = 0; c < width; c++) {
            double mean = 0;
            for (int r = 0; r < rows; r++) {
                mean += truth[r * width + c];
            }
            mean /= rows;
            double ssRes = 0;
            double ssTot = 0;
            for (int r = 0; r < rows; r++) {
                double d = predicted[r * width + c] - truth[r * width + c];
                double t = truth[r * width + c] - mean;
                ssRes += d * d;
                ssTot += t * t;
                ae += Math.abs(d);
            }
            se += ssRes;
            r2Sum += ssTot == 0 ? (ssRes == 0 ? 1 : 0) : 1 - ssRes / ssTot;
        }
        double mse = se / truth.length;
        return new RegressionMetrics(mse, Math.sqrt(mse), ae / truth.length, r2Sum / width);
    }
}
