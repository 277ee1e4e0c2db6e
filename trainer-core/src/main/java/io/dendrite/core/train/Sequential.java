package io.dendrite.core.train;

import io.dendrite.core.data.FeatureScaler;
import io.dendrite.core.kernel.Activation;
import io.dendrite.core.loss.Loss;
import io.dendrite.core.nn.Initializer;
import io.dendrite.core.nn.LayerSpec;
import io.dendrite.core.nn.NetworkSpec;
import io.dendrite.core.optim.LearningRateSchedule;
import io.dendrite.core.optim.Optimizer;
import io.dendrite.core.optim.Optimizers;
import io.dendrite.core.optim.Regularization;
import io.dendrite.core.run.EarlyStopping;
import io.dendrite.core.run.ProgressListener;
import io.dendrite.core.run.ReduceLrOnPlateau;
import io.dendrite.core.run.TrainingConfig;
import io.dendrite.core.util.Checks;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * A fluent builder in the Keras spirit:
 *
 * <pre>{@code
 * Trainer trainer = Sequential.input(64)
 *     .dense(64, Activation.RELU)
 *     .dropout(0.2f)
 *     .dense(10, Activation.SOFTMAX)
 *     .loss(Losses.categoricalCrossEntropy())
 *     .optimizer(Optimizers.adam(1e-3f))
 *     .batchSize(32).epochs(40).seed(7).validationSplit(0.1)
 *     .build();
 * Model model = trainer.fit(train);
 * }</pre>
 *
 * Defaults: Glorot-uniform weights, Adam at 1e-3, batch 32, 10 epochs, seed 0, no scaling, progress
 * printed to standard output.
 */
public final class Sequential {
    private final int inputWidth;
    private final List<LayerSpec> layers = new ArrayList<>();
    private Loss loss;
    private Optimizer optimizer = Optimizers.adam(1e-3f);
    private LearningRateSchedule schedule = LearningRateSchedule.constant();
    private float l1;
    private float l2;
    private float weightDecay;
    private float clipNorm;
    private int batchSize = 32;
    private int epochs = 10;
    private long seed;
    private double validationSplit;
    private EarlyStopping earlyStopping;
    private ReduceLrOnPlateau plateau;
    private FeatureScaler.Kind scaling = FeatureScaler.Kind.NONE;
    private float scalingDivisor = 1f;
    private List<String> labels = List.of();
    private ProgressListener progress = ProgressListener.printingTo(System.out);

    private Sequential(int inputWidth) {
        Checks.checkArgument(inputWidth >= 1, "input width must be >= 1 but was %s", inputWidth);
        this.inputWidth = inputWidth;
    }

    /** Starts a network taking {@code width} features. */
    public static Sequential input(int width) {
        return new Sequential(width);
    }

    /** A dense layer with Glorot-uniform weights. */
    public Sequential dense(int units, Activation activation) {
        return dense(units, activation, Initializer.GLOROT_UNIFORM);
    }

    /** A dense layer with the given weight initialiser. */
    public Sequential dense(int units, Activation activation, Initializer initializer) {
        layers.add(new LayerSpec.Dense(units, activation, initializer));
        return this;
    }

    /** Inverted dropout of {@code rate}. */
    public Sequential dropout(float rate) {
        layers.add(new LayerSpec.Dropout(rate));
        return this;
    }

    /** The training objective; required. */
    public Sequential loss(Loss loss) {
        this.loss = loss;
        return this;
    }

    /** The optimiser (copied for every fit). */
    public Sequential optimizer(Optimizer optimizer) {
        this.optimizer = optimizer;
        return this;
    }

    /** The learning-rate schedule over optimiser steps. */
    public Sequential schedule(LearningRateSchedule schedule) {
        this.schedule = schedule;
        return this;
    }

    /** L1 penalty {@code l1·Σ|w|} on weights. */
    public Sequential l1(float l1) {
        this.l1 = l1;
        return this;
    }

    /** L2 penalty {@code l2·Σw²} on weights. */
    public Sequential l2(float l2) {
        this.l2 = l2;
        return this;
    }

    /** Decoupled weight decay on weights, with any optimiser. */
    public Sequential weightDecay(float weightDecay) {
        this.weightDecay = weightDecay;
        return this;
    }

    /** Clips the gradient to this global L2 norm. */
    public Sequential clipNorm(float clipNorm) {
        this.clipNorm = clipNorm;
        return this;
    }

    /** Examples per step. */
    public Sequential batchSize(int batchSize) {
        this.batchSize = batchSize;
        return this;
    }

    /** Passes over the data. */
    public Sequential epochs(int epochs) {
        this.epochs = epochs;
        return this;
    }

    /** The seed of initialisation, splits, shuffles and dropout. */
    public Sequential seed(long seed) {
        this.seed = seed;
        return this;
    }

    /** Holds out this fraction of the data given to {@link Trainer#fit(Dataset)} for validation. */
    public Sequential validationSplit(double fraction) {
        this.validationSplit = fraction;
        return this;
    }

    /** Stops early as configured. */
    public Sequential earlyStopping(EarlyStopping earlyStopping) {
        this.earlyStopping = earlyStopping;
        return this;
    }

    /** Lowers the learning rate on a plateau as configured. */
    public Sequential reduceLrOnPlateau(ReduceLrOnPlateau plateau) {
        this.plateau = plateau;
        return this;
    }

    /** Standardises features with statistics of the training split. */
    public Sequential standardize() {
        this.scaling = FeatureScaler.Kind.STANDARD;
        return this;
    }

    /** Scales features to [0, 1] with the training split's ranges. */
    public Sequential minMaxScale() {
        this.scaling = FeatureScaler.Kind.MIN_MAX;
        return this;
    }

    /** Divides every feature by a constant, e.g. 255 for pixels. */
    public Sequential scaleBy(float divisor) {
        Checks.positive("scaling divisor", divisor);
        this.scaling = FeatureScaler.Kind.CONSTANT;
        this.scalingDivisor = divisor;
        return this;
    }

    /** Class names by index, stored with the model. */
    public Sequential labels(List<String> labels) {
        this.labels = List.copyOf(labels);
        return this;
    }

    /** Where progress goes; {@code null} for silence. */
    public Sequential progress(PrintStream out) {
        this.progress = out == null ? ProgressListener.silent() : ProgressListener.printingTo(out);
        return this;
    }

    /** A custom progress listener. */
    public Sequential progress(ProgressListener listener) {
        this.progress = listener;
        return this;
    }

    /** The topology so far. */
    public NetworkSpec spec() {
        return new NetworkSpec(inputWidth, layers);
    }

    /** Validates everything and returns the configuration, for trainers other than {@link Trainer}. */
    public TrainingConfig config() {
        return new TrainingConfig(spec(), loss, optimizer, schedule, new Regularization(l1, l2, weightDecay, clipNorm),
                batchSize, epochs, seed, validationSplit, earlyStopping, plateau, scaling, scalingDivisor, labels);
    }

    /** Validates everything and returns the reusable single-JVM trainer. */
    public Trainer build() {
        return new Trainer(config(), progress);
    }
}
