package io.dendrite.spark.ml;

/**
 * The Spark-style setters of {@link NetworkParams}, for the estimators (a fitted model keeps the values
 * it was trained with). Each returns the estimator, so calls chain.
 *
 * @param <T> the estimator
 */
public interface NetworkSetters<T extends NetworkSetters<T>> extends NetworkParams {

    @SuppressWarnings("unchecked")
    private T self() {
        return (T) this;
    }

    /** Units of each hidden layer, input side first. */
    default T setHiddenLayers(int... units) {
        for (int i = 0; i < units.length; i++) {
            if (units[i] < 1) {
                throw new IllegalArgumentException(uid() + ": hiddenLayers must each be >= 1 but layer " + (i + 1)
                        + " of " + java.util.Arrays.toString(units) + " has " + units[i]);
            }
        }
        set(hiddenLayers(), units.clone());
        return self();
    }

    /** The hidden activation ({@link #HIDDEN_ACTIVATIONS}). */
    default T setHiddenActivation(String name) {
        set(hiddenActivation(), name);
        return self();
    }

    /** Leaky ReLU's slope or ELU's alpha. */
    default T setActivationAlpha(double alpha) {
        set(activationAlpha(), alpha);
        return self();
    }

    /** Dropout after each hidden layer. */
    default T setDropout(double rate) {
        set(dropout(), rate);
        return self();
    }

    /** The optimiser. */
    default T setOptimizer(String name) {
        set(optimizer(), name);
        return self();
    }

    /** The learning rate. */
    default T setLearningRate(double rate) {
        set(learningRate(), rate);
        return self();
    }

    /** SGD momentum. */
    default T setMomentum(double value) {
        set(momentum(), value);
        return self();
    }

    /** Adam's beta1. */
    default T setBeta1(double value) {
        set(beta1(), value);
        return self();
    }

    /** Adam's beta2. */
    default T setBeta2(double value) {
        set(beta2(), value);
        return self();
    }

    /** The optimiser's epsilon. */
    default T setEpsilon(double value) {
        set(epsilon(), value);
        return self();
    }

    /** RMSprop's or Adadelta's rho. */
    default T setRho(double value) {
        set(rho(), value);
        return self();
    }

    /** The learning-rate schedule. */
    default T setLrSchedule(String name) {
        set(lrSchedule(), name);
        return self();
    }

    /** Steps per decay, or the cosine schedule's total. */
    default T setLrDecaySteps(long steps) {
        set(lrDecaySteps(), steps);
        return self();
    }

    /** Factor per decay. */
    default T setLrDecayRate(double rate) {
        set(lrDecayRate(), rate);
        return self();
    }

    /** Warm-up steps. */
    default T setWarmupSteps(long steps) {
        set(warmupSteps(), steps);
        return self();
    }

    /** L1 penalty. */
    default T setL1(double value) {
        set(l1(), value);
        return self();
    }

    /** L2 penalty. */
    default T setL2(double value) {
        set(l2(), value);
        return self();
    }

    /** Decoupled weight decay. */
    default T setWeightDecay(double value) {
        set(weightDecay(), value);
        return self();
    }

    /** Gradient clipping norm. */
    default T setClipNorm(double value) {
        set(clipNorm(), value);
        return self();
    }

    /** Examples per step. */
    default T setBatchSize(int rows) {
        set(batchSize(), rows);
        return self();
    }

    /** Epochs. */
    default T setMaxEpochs(int epochs) {
        set(maxEpochs(), epochs);
        return self();
    }

    /** The metric early stopping watches. */
    default T setEarlyStoppingMonitor(String metric) {
        set(earlyStoppingMonitor(), metric);
        return self();
    }

    /** Early stopping's patience. */
    default T setEarlyStoppingPatience(int epochs) {
        set(earlyStoppingPatience(), epochs);
        return self();
    }

    /** Early stopping's least improvement. */
    default T setEarlyStoppingMinDelta(double delta) {
        set(earlyStoppingMinDelta(), delta);
        return self();
    }

    /** Whether the best epoch's weights are restored. */
    default T setRestoreBestWeights(boolean restore) {
        set(restoreBestWeights(), restore);
        return self();
    }

    /** The seed. */
    default T setSeed(long seed) {
        set(seed(), seed);
        return self();
    }

    /** The step mode. */
    default T setStepMode(String mode) {
        set(stepMode(), mode);
        return self();
    }

    /** The checkpoint directory. */
    default T setCheckpointDir(String dir) {
        set(checkpointDir(), dir);
        return self();
    }

    /** How transform treats rows with invalid feature values: error, skip or keep. */
    default T setHandleInvalid(String mode) {
        set(handleInvalid(), mode);
        return self();
    }

    /** The run directory (or one checkpoint in it) the next fit continues from. */
    default T setResumeFrom(String runDirectory) {
        set(resumeFrom(), runDirectory);
        return self();
    }

    /** Epochs between checkpoints. */
    default T setCheckpointInterval(int epochs) {
        set(checkpointInterval(), epochs);
        return self();
    }

    /** Training partitions. */
    default T setNumPartitions(int partitions) {
        set(numPartitions(), partitions);
        return self();
    }

    /** Feature scaling inside the model. */
    default T setScaling(String kind) {
        set(scaling(), kind);
        return self();
    }

    /** The example-weight column. */
    default T setWeightCol(String column) {
        set(weightCol(), column);
        return self();
    }

    /** The validation-indicator column. */
    default T setValidationIndicatorCol(String column) {
        set(validationIndicatorCol(), column);
        return self();
    }
}
