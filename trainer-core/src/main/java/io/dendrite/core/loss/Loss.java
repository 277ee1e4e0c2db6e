package io.dendrite.core.loss;

import io.dendrite.core.kernel.Activation;
import io.dendrite.core.kernel.Kernel;
import io.dendrite.core.util.Checks;
import java.util.List;
import java.util.Locale;

/**
 * A training objective. Every loss returns the sum of per-example losses and writes the gradient of each
 * example's loss with respect to the network's output (not divided by the batch size: callers average
 * the summed gradient by the example count, so partial sums from many partitions merge exactly).
 *
 * <p>Targets are row-major floats of width {@link #targetWidth(int)}: one class index per row for
 * categorical cross-entropy with integer labels, otherwise one value per output.
 */
public sealed interface Loss extends java.io.Serializable permits Losses.MeanSquaredError, Losses.MeanAbsoluteError, Losses.Huber,
        Losses.BinaryCrossEntropy, Losses.CategoricalCrossEntropy, Losses.Weighted {

    /** The lower-case name used in model and job files. */
    String id();

    /**
     * The loss without example weights: itself, or what a {@link Losses#weighted} loss weighs. A model
     * keeps this one; weights belong to training data, not to predictions.
     */
    default Loss unweighted() {
        return this;
    }

    /** True when the loss works on logits and so absorbs the output layer's activation. */
    default boolean fusesOutputActivation() {
        return false;
    }

    /** True for classification losses, which also count correct predictions. */
    default boolean isClassification() {
        return false;
    }

    /**
     * Sum of per-example losses over {@code m} rows of width {@code n}; writes ∂loss/∂output into
     * {@code grad} and adds correct predictions to {@code correct[0]} when it is non-null.
     */
    double compute(Kernel kernel, int m, int n, float[] output, float[] targets, int tOff, int targetWidth,
                   float[] grad, long[] correct);

    /** The target width this loss expects for a network with {@code outputs} outputs, given the data's width. */
    default int targetWidth(int outputs) {
        return outputs;
    }

    /** Checks the output layer suits this loss, e.g. softmax only with categorical cross-entropy. */
    default void checkOutput(Activation activation, int units) {
        Checks.checkArgument(activation.kind() != Activation.Kind.SOFTMAX,
                "loss %s cannot follow a softmax output layer; use categorical_crossentropy", id());
    }

    /**
     * Checks that targets suit this loss and an output of width {@code outputs}: the width and, for
     * classification, the label range. Fails naming the row, the expected and the found value.
     */
    default void checkTargets(float[] targets, int rows, int targetWidth, int outputs) {
        Checks.checkArgument(targetWidth == targetWidth(outputs),
                "loss %s expects targets of width %s for %s outputs but got width %s", id(), targetWidth(outputs),
                outputs, targetWidth);
    }

    /** The names {@link #of} accepts (besides the long forms of mse and mae), as model and job files spell them. */
    List<String> NAMES = List.of("mse", "mae", "huber", "binary_crossentropy", "categorical_crossentropy",
            "sparse_categorical_crossentropy");

    /** Parses the names used in model and job files. */
    static Loss of(String name, float delta) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "mse", "mean_squared_error" -> Losses.mse();
            case "mae", "mean_absolute_error" -> Losses.mae();
            case "huber" -> Losses.huber(delta);
            case "binary_crossentropy" -> Losses.binaryCrossEntropy();
            case "categorical_crossentropy", "sparse_categorical_crossentropy" -> Losses.categoricalCrossEntropy();
            default -> throw new IllegalArgumentException("unknown loss '" + name + "'; expected one of " + NAMES);
        };
    }
}
