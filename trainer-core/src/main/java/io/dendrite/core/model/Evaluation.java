package io.dendrite.core.model;

import io.dendrite.core.metrics.ConfusionMatrix;
import io.dendrite.core.metrics.RegressionMetrics;

/**
 * What {@link Model#evaluate} measured. Fields that do not apply to the model's task are {@code NaN}
 * or {@code null}: a regression has no confusion matrix, a multi-class problem no ROC AUC.
 */
public record Evaluation(long examples, double loss, double accuracy, ConfusionMatrix confusion, double logLoss,
                         double rocAuc, RegressionMetrics regression) {

    /** One line in the style of the training progress. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(String.format("examples: %d - loss: %.4f", examples, loss));
        if (!Double.isNaN(accuracy)) {
            sb.append(String.format(" - accuracy: %.4f", accuracy));
        }
        if (confusion != null) {
            sb.append(String.format(" - macro_f1: %.4f", confusion.macroF1()));
        }
        if (!Double.isNaN(logLoss)) {
            sb.append(String.format(" - log_loss: %.4f", logLoss));
        }
        if (!Double.isNaN(rocAuc)) {
            sb.append(String.format(" - roc_auc: %.4f", rocAuc));
        }
        if (regression != null) {
            sb.append(String.format(" - mse: %.4f - rmse: %.4f - mae: %.4f - r2: %.4f", regression.mse(),
                    regression.rmse(), regression.mae(), regression.r2()));
        }
        return sb.toString();
    }
}
