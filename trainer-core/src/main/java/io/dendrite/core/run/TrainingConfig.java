package io.dendrite.core.run;

import io.dendrite.core.data.Dataset;
import io.dendrite.core.data.FeatureScaler;
import io.dendrite.core.loss.Loss;
import io.dendrite.core.nn.NetworkSpec;
import io.dendrite.core.optim.LearningRateSchedule;
import io.dendrite.core.optim.Optimizer;
import io.dendrite.core.optim.Regularization;
import io.dendrite.core.util.Checks;
import java.util.List;

/**
 * Everything a fit is configured by, shared by the single-JVM {@link Trainer} and the distributed
 * trainer: the network and loss, the optimiser (a template, copied per fit), schedule and
 * regularisation, batch size, epochs, seed, validation split, callbacks, feature scaling and labels.
 *
 * @param scaling how features are scaled; statistics come from the training split
 * @param scalingDivisor the divisor of {@link FeatureScaler.Kind#CONSTANT} scaling (ignored otherwise)
 */
public record TrainingConfig(NetworkSpec spec, Loss loss, Optimizer optimizer, LearningRateSchedule schedule,
                             Regularization regularization, int batchSize, int epochs, long seed,
                             double validationSplit, EarlyStopping earlyStopping, ReduceLrOnPlateau plateau,
                             FeatureScaler.Kind scaling, float scalingDivisor, List<String> labels) {

    /** Validates. */
    public TrainingConfig {
        Checks.checkArgument(spec != null, "a network spec is required");
        Checks.checkArgument(loss != null, "a loss is required, e.g. loss(Losses.categoricalCrossEntropy())");
        Checks.checkArgument(optimizer != null && schedule != null && regularization != null,
                "optimizer, schedule and regularization must not be null");
        Checks.atLeast("batch size", batchSize, 1);
        Checks.atLeast("epochs", epochs, 1);
        Checks.checkArgument(validationSplit >= 0 && validationSplit < 1,
                "validation split must be in [0, 1) but was %s", validationSplit);
        Checks.checkArgument(scaling != null, "scaling must not be null (use NONE)");
        if (scaling == FeatureScaler.Kind.CONSTANT) {
            Checks.positive("scaling divisor", scalingDivisor);
        }
        labels = List.copyOf(labels);
    }

    /** True when a callback watches a {@code val_} metric. */
    public boolean needsValidation() {
        return EpochCallbacks.needValidation(earlyStopping, plateau);
    }

    /** The scaler this configuration fits on local training data. */
    public FeatureScaler fitScaler(Dataset train) {
        return switch (scaling) {
            case NONE -> FeatureScaler.none(spec.inputWidth());
            case CONSTANT -> FeatureScaler.constant(spec.inputWidth(), scalingDivisor);
            case STANDARD -> FeatureScaler.standard(train);
            case MIN_MAX -> FeatureScaler.minMax(train);
        };
    }

    /** The same configuration with another number of epochs. */
    public TrainingConfig withEpochs(int newEpochs) {
        return new TrainingConfig(spec, loss, optimizer, schedule, regularization, batchSize, newEpochs, seed,
                validationSplit, earlyStopping, plateau, scaling, scalingDivisor, labels);
    }
}
