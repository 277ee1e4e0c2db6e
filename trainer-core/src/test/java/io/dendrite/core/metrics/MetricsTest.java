package io.dendrite.core.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Hand-worked values (each comment shows the arithmetic). */
class MetricsTest {

    @Test
    void confusionMatrixPrecisionRecallF1() {
        // truth 0 0 1 1 2 2, predicted 0 1 1 1 2 0
        ConfusionMatrix cm = ConfusionMatrix.of(new int[] {0, 0, 1, 1, 2, 2}, new int[] {0, 1, 1, 1, 2, 0}, 3);
        assertEquals(1, cm.count(0, 0));
        assertEquals(1, cm.count(0, 1));
        assertEquals(2, cm.count(1, 1));
        assertEquals(1, cm.count(2, 0));
        assertEquals(4.0 / 6, cm.accuracy(), 1e-12);
        assertEquals(0.5, cm.precision(0), 1e-12);      // predicted 0: rows 0 and 5, one right
        assertEquals(0.5, cm.recall(0), 1e-12);
        assertEquals(2.0 / 3, cm.precision(1), 1e-12);  // predicted 1: rows 1, 2, 3
        assertEquals(1.0, cm.recall(1), 1e-12);
        assertEquals(0.8, cm.f1(1), 1e-12);             // 2·(2/3)·1 / (2/3 + 1)
        assertEquals(1.0, cm.precision(2), 1e-12);
        assertEquals(0.5, cm.recall(2), 1e-12);
        assertEquals((0.5 + 0.8 + 2.0 / 3) / 3, cm.macroF1(), 1e-12);
    }

    @Test
    void neverPredictedClassHasZeroPrecision() {
        ConfusionMatrix cm = ConfusionMatrix.of(new int[] {0, 1}, new int[] {0, 0}, 2);
        assertEquals(0.0, cm.precision(1));
        assertEquals(0.0, cm.f1(1));
    }

    @Test
    void rocAuc() {
        // The scikit-learn documentation example: positives 0.35 and 0.8 beat 3 of 4 negative pairs.
        assertEquals(0.75, Metrics.rocAuc(new float[] {0.1f, 0.4f, 0.35f, 0.8f}, new int[] {0, 0, 1, 1}), 1e-12);
        // A tie counts one half.
        assertEquals(0.5, Metrics.rocAuc(new float[] {0.5f, 0.5f}, new int[] {0, 1}), 1e-12);
        assertEquals(1.0, Metrics.rocAuc(new float[] {0.1f, 0.2f, 0.9f}, new int[] {0, 0, 1}), 1e-12);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Metrics.rocAuc(new float[] {0.1f, 0.2f}, new int[] {1, 1}));
        assertEquals("ROC AUC needs both classes but got 2 positives and 0 negatives", e.getMessage());
    }

    @Test
    void logLoss() {
        // −(ln 0.9 + ln 0.4) / 2
        float[] probs = {0.9f, 0.1f, 0.6f, 0.4f};
        assertEquals(-(Math.log(0.9f) + Math.log(0.4f)) / 2, Metrics.logLoss(probs, 2, new int[] {0, 1}), 1e-7);
        // A zero probability is clipped, not infinite.
        assertEquals(-Math.log(1e-15), Metrics.logLoss(new float[] {1f, 0f}, 2, new int[] {1}), 1e-6);
    }

    @Test
    void regressionMetrics() {
        // residuals 0, 0, −1; truth mean 7/3, total sum of squares 42/9
        RegressionMetrics r = RegressionMetrics.of(new float[] {1, 2, 3}, new float[] {1, 2, 4}, 1);
        assertEquals(1.0 / 3, r.mse(), 1e-12);
        assertEquals(Math.sqrt(1.0 / 3), r.rmse(), 1e-12);
        assertEquals(1.0 / 3, r.mae(), 1e-12);
        assertEquals(1 - 1 / (42.0 / 9), r.r2(), 1e-12);
    }

    @Test
    void r2IsAveragedOverOutputs() {
        // output 0 perfect (R² 1); output 1 predicts the mean (R² 0)
        RegressionMetrics r = RegressionMetrics.of(new float[] {1, 2, 3, 2}, new float[] {1, 1, 3, 3}, 2);
        assertEquals(0.5, r.r2(), 1e-12);
    }
}
