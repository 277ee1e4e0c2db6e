package io.dendrite.examples;

import io.dendrite.core.kernel.Activation;
import io.dendrite.core.loss.Losses;
import io.dendrite.core.nn.Initializer;
import io.dendrite.core.optim.Optimizers;
import io.dendrite.core.run.EarlyStopping;
import io.dendrite.core.train.Sequential;
import io.dendrite.datasets.BundledDataset;
import java.util.Locale;

/**
 * A tried network and training setup for each bundled dataset: the example job runs them, and the
 * accuracy tests hold them to their targets.
 */
public final class Recipes {
    /** The seed of every recipe; the held-out test split uses it too. */
    public static final long SEED = 42;
    /** The fraction of each dataset held out for testing. */
    public static final double TEST_FRACTION = 0.2;

    private Recipes() {
    }

    /** The builder for {@code data}, ready for {@code build()} (progress still to be chosen). */
    public static Sequential forDataset(BundledDataset data) {
        return switch (data.name().toLowerCase(Locale.ROOT)) {
            case "digits" -> Sequential.input(64)
                    .dense(256, Activation.RELU, Initializer.HE_NORMAL)
                    .dropout(0.2f)
                    .dense(10, Activation.SOFTMAX)
                    .loss(Losses.categoricalCrossEntropy())
                    .optimizer(Optimizers.adam(1e-3f))
                    .scaleBy(16f)
                    .batchSize(32).epochs(100).seed(SEED)
                    .validationSplit(0.1)
                    .earlyStopping(new EarlyStopping("val_loss", 0f, 15, true))
                    .labels(data.classNames());
            case "iris" -> Sequential.input(4)
                    .dense(16, Activation.TANH)
                    .dense(3, Activation.SOFTMAX)
                    .loss(Losses.categoricalCrossEntropy())
                    .optimizer(Optimizers.adam(1e-2f))
                    .standardize()
                    .batchSize(16).epochs(100).seed(SEED)
                    .labels(data.classNames());
            case "breast_cancer" -> Sequential.input(30)
                    .dense(16, Activation.RELU, Initializer.HE_NORMAL)
                    .dense(1, Activation.SIGMOID)
                    .loss(Losses.binaryCrossEntropy())
                    .optimizer(Optimizers.adam(1e-3f))
                    .l2(1e-3f)
                    .standardize()
                    .batchSize(16).epochs(60).seed(SEED)
                    .labels(data.classNames());
            case "diabetes" -> Sequential.input(10)
                    .dense(32, Activation.RELU, Initializer.HE_NORMAL)
                    .dense(1, Activation.LINEAR)
                    .loss(Losses.mse())
                    .optimizer(Optimizers.adam(1e-2f))
                    .standardize()
                    .validationSplit(0.2).earlyStopping(EarlyStopping.onValidationLoss(20))
                    .batchSize(32).epochs(300).seed(SEED);
            default -> throw new IllegalArgumentException("no recipe for dataset '" + data.name() + "'");
        };
    }
}
