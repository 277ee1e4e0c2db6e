package io.dendrite.spark;

import io.dendrite.core.loss.LossStats;
import io.dendrite.core.model.Evaluation;
import io.dendrite.core.model.Model;
import io.dendrite.datasets.ShardedDataset;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

/**
 * Evaluates a model on labelled data held in Spark. Loss and accuracy are always computed on the
 * executors; the metrics that need every prediction in one place (confusion matrix, F1, ROC AUC, R²) are
 * computed on the driver when the data fits {@link #LOCAL_LIMIT_VALUES} feature values, and otherwise
 * left out with the reason logged in the result's absence (NaN / null), never estimated from a sample.
 */
public final class SparkEvaluator {
    /** The most feature values (rows × width) brought to the driver for the full metrics: 64 M (256 MB). */
    public static final long LOCAL_LIMIT_VALUES = 64L << 20;

    private SparkEvaluator() {
    }

    /** Evaluates {@code model} on {@code data} (raw features; the model applies its own scaling). */
    public static Evaluation evaluate(Model model, ShardedDataset data) {
        if (data.featureWidth() != model.spec().inputWidth()) {
            throw new IllegalArgumentException(data.source() + " has " + data.featureWidth()
                    + " features but the model expects " + model.spec().inputWidth());
        }
        long rows = data.stats().keptRows(); // a bad input fails here, once, with its one-line message
        if (rows * data.featureWidth() <= LOCAL_LIMIT_VALUES) {
            return model.evaluate(data.collectLocal());
        }
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(data.blocks().context());
        Broadcast<float[]> weights = jsc.broadcast(model.parameters());
        try {
            LossStats s = EvaluationTask.run(data.blocks(),
                    new EvaluationTask(weights, model.spec(), model.loss(), model.scaler()));
            return new Evaluation(s.count(), s.meanLoss(), model.loss().isClassification() ? s.accuracy() : Double.NaN,
                    null, Double.NaN, Double.NaN, null);
        } finally {
            weights.destroy(false);
        }
    }
}
