package io.dendrite.spark.ml;

import io.dendrite.core.kernel.Activation;
import io.dendrite.core.optim.Optimizers;
import java.util.List;
import java.util.Locale;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntArrayParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.param.Params;

/**
 * The Spark ML params every Dendrite estimator and model shares: the network, the optimiser and its
 * schedule, regularisation, the run (batch, epochs, early stopping, seed, step mode, checkpoints), feature
 * scaling and the weight and validation columns. A param is a method returning a fresh {@link Param} (Spark
 * compares params by owner and name, and finds them by these public methods). Ranges are checked when a
 * value is set, naming the param; settings that depend on each other when {@code fit} starts. Defaults are
 * Keras's where Keras has one: batch size 32, one epoch, Adam at 0.001, early stopping off (patience 0
 * once on), best weights not restored.
 */
public interface NetworkParams extends Params {

    /** Hidden activations (softmax only on the output layer). */
    List<String> HIDDEN_ACTIVATIONS = Activation.NAMES.stream().filter(a -> !a.equals("softmax")).toList();
    /** Learning-rate schedules. */
    List<String> SCHEDULES = List.of("constant", "step", "exponential", "cosine");
    /** Step modes. */
    List<String> STEP_MODES = io.dendrite.spark.StepTransport.Mode.ids();
    /** Feature scalings the network applies itself (a pipeline's StandardScaler does the same outside it). */
    List<String> SCALINGS = List.of("none", "standard", "min_max");

    /** Units of each hidden dense layer, input to output; empty for none (a linear model). */
    default IntArrayParam hiddenLayers() {
        return new IntArrayParam(this, "hiddenLayers", "units of each hidden dense layer, input side first (each >= 1)",
                new AllAtLeastOne());
    }

    /** {@link #hiddenLayers()}' check, made when the param is set (as every other param's is). */
    final class AllAtLeastOne extends scala.runtime.AbstractFunction1<int[], Object> implements java.io.Serializable {
        private static final long serialVersionUID = 1L;

        @Override
        public Object apply(int[] units) {
            return units != null && java.util.Arrays.stream(units).allMatch(u -> u >= 1);
        }
    }

    /** The hidden layers' activation. */
    default Param<String> hiddenActivation() {
        return new Param<>(this, "hiddenActivation", "activation of the hidden layers, one of " + HIDDEN_ACTIVATIONS,
                ParamValidators.inArray(HIDDEN_ACTIVATIONS.toArray(new String[0])));
    }

    /** The slope (leaky_relu) or scale (elu) of the hidden activation. */
    default DoubleParam activationAlpha() {
        return new DoubleParam(this, "activationAlpha", "negative slope of leaky_relu or alpha of elu (default 0.01 "
                + "for leaky_relu, 1.0 for elu)", ParamValidators.gtEq(0));
    }

    /** Dropout after each hidden layer. */
    default DoubleParam dropout() {
        return new DoubleParam(this, "dropout", "dropout rate after each hidden layer, in [0, 1)",
                ParamValidators.inRange(0, 1, true, false));
    }

    /** The optimiser. */
    default Param<String> optimizer() {
        return new Param<>(this, "optimizer", "optimiser, one of " + Optimizers.NAMES,
                ParamValidators.inArray(Optimizers.NAMES.toArray(new String[0])));
    }

    /** The learning rate; the optimiser's default when unset. */
    default DoubleParam learningRate() {
        return new DoubleParam(this, "learningRate", "learning rate (> 0); when unset, the optimiser's default: "
                + "0.01 for sgd, momentum and nesterov, 1.0 for adadelta, 0.001 for the others", ParamValidators.gt(0));
    }

    /** SGD momentum. */
    default DoubleParam momentum() {
        return new DoubleParam(this, "momentum", "momentum of sgd, momentum and nesterov, in [0, 1)",
                ParamValidators.inRange(0, 1, true, false));
    }

    /** Adam's and Nadam's first-moment decay. */
    default DoubleParam beta1() {
        return new DoubleParam(this, "beta1", "first-moment decay of adam, adamw and nadam, in [0, 1) (default 0.9)",
                ParamValidators.inRange(0, 1, true, false));
    }

    /** Adam's and Nadam's second-moment decay. */
    default DoubleParam beta2() {
        return new DoubleParam(this, "beta2", "second-moment decay of adam, adamw and nadam, in [0, 1) (default 0.999)",
                ParamValidators.inRange(0, 1, true, false));
    }

    /** The optimiser's epsilon. */
    default DoubleParam epsilon() {
        return new DoubleParam(this, "epsilon", "epsilon of the adaptive optimisers, in [0, 1]",
                ParamValidators.inRange(0, 1));
    }

    /** RMSprop's and Adadelta's decay. */
    default DoubleParam rho() {
        return new DoubleParam(this, "rho", "squared-gradient decay of rmsprop and adadelta, in [0, 1)",
                ParamValidators.inRange(0, 1, true, false));
    }

    /** The learning-rate schedule. */
    default Param<String> lrSchedule() {
        return new Param<>(this, "lrSchedule", "learning-rate schedule, one of " + SCHEDULES,
                ParamValidators.inArray(SCHEDULES.toArray(new String[0])));
    }

    /** The schedule's step count. */
    default LongParam lrDecaySteps() {
        return new LongParam(this, "lrDecaySteps", "steps per decay of the step and exponential schedules, or the "
                + "cosine schedule's total steps (>= 1)", ParamValidators.gtEq(1));
    }

    /** The schedule's decay factor. */
    default DoubleParam lrDecayRate() {
        return new DoubleParam(this, "lrDecayRate", "factor per decay of the step (default 0.1) and exponential "
                + "(default 0.96) schedules, in (0, 1]", ParamValidators.inRange(0, 1, false, true));
    }

    /** Linear warm-up steps before the schedule. */
    default LongParam warmupSteps() {
        return new LongParam(this, "warmupSteps", "steps of linear warm-up from a third of the rate (>= 0)",
                ParamValidators.gtEq(0));
    }

    /** L1 penalty. */
    default DoubleParam l1() {
        return new DoubleParam(this, "l1", "L1 penalty on the weights (>= 0)", ParamValidators.gtEq(0));
    }

    /** L2 penalty. */
    default DoubleParam l2() {
        return new DoubleParam(this, "l2", "L2 penalty on the weights (>= 0)", ParamValidators.gtEq(0));
    }

    /** Decoupled weight decay. */
    default DoubleParam weightDecay() {
        return new DoubleParam(this, "weightDecay", "decoupled weight decay per step, in [0, 1]",
                ParamValidators.inRange(0, 1));
    }

    /** Gradient clipping by global norm. */
    default DoubleParam clipNorm() {
        return new DoubleParam(this, "clipNorm", "clip the gradient to this global norm (0: no clipping)",
                ParamValidators.gtEq(0));
    }

    /** Examples per step, over the whole cluster. */
    default IntParam batchSize() {
        return new IntParam(this, "batchSize", "examples per training step over all partitions (>= 1)",
                ParamValidators.gtEq(1));
    }

    /** Epochs. */
    default IntParam maxEpochs() {
        return new IntParam(this, "maxEpochs", "epochs to train, fewer when early stopping ends the run (>= 1)",
                ParamValidators.gtEq(1));
    }

    /** The metric early stopping watches; empty for none. */
    default Param<String> earlyStoppingMonitor() {
        return new Param<>(this, "earlyStoppingMonitor", "metric early stopping watches, e.g. val_loss or "
                + "val_accuracy (val_ metrics need validationIndicatorCol); empty: no early stopping");
    }

    /** Early stopping's patience. */
    default IntParam earlyStoppingPatience() {
        return new IntParam(this, "earlyStoppingPatience", "epochs without improvement before stopping (>= 0)",
                ParamValidators.gtEq(0));
    }

    /** Early stopping's least improvement. */
    default DoubleParam earlyStoppingMinDelta() {
        return new DoubleParam(this, "earlyStoppingMinDelta", "least change of the monitored metric that counts as "
                + "an improvement (>= 0)", ParamValidators.gtEq(0));
    }

    /** Whether early stopping restores the best epoch's weights. */
    default BooleanParam restoreBestWeights() {
        return new BooleanParam(this, "restoreBestWeights", "whether the model gets the weights of the best epoch "
                + "rather than the last when early stopping is on");
    }

    /** The run's seed. */
    default LongParam seed() {
        return new LongParam(this, "seed", "seed of the initial weights, the shuffles and dropout");
    }

    /** How steps travel. */
    default Param<String> stepMode() {
        return new Param<>(this, "stepMode", "how each step's weights and gradients travel, one of " + STEP_MODES
                + ": long-lived barrier tasks with a parameter server on the driver, elastic tasks that survive lost "
                + "executors, or one Spark job per step", ParamValidators.inArray(STEP_MODES.toArray(new String[0])));
    }

    /** Where checkpoints go: each fit in a run directory of its own under it. */
    default Param<String> checkpointDir() {
        return new Param<>(this, "checkpointDir", "Hadoop path under which each fit checkpoints into a run directory "
                + "of its own, named by the stage's uid and the time, which the fit logs (empty: no checkpoints)");
    }

    /** What transform does with a row whose features hold a null, NaN or infinite value. */
    default Param<String> handleInvalid() {
        return new Param<>(this, "handleInvalid", "what transform does with a row whose features hold a null, NaN or "
                + "infinite value (as VectorAssembler's handleInvalid 'keep' leaves them): 'error' fails naming the row "
                + "and column, 'skip' leaves the row out, 'keep' keeps it with NaN in every column the model adds; fit "
                + "refuses such rows whatever this says", ParamValidators.inArray(new String[] {"error", "skip", "keep"}));
    }

    /** A run directory (or one checkpoint in it) to continue from. */
    default Param<String> resumeFrom() {
        return new Param<>(this, "resumeFrom", "Hadoop path of a fit's run directory (as the fit logged it under "
                + "checkpointDir) or of one checkpoint in it: the fit continues from its newest complete checkpoint "
                + "exactly as the interrupted fit would have, checkpointing on into it when checkpointDir is set "
                + "(empty: a new run)");
    }

    /** Epochs between checkpoints. */
    default IntParam checkpointInterval() {
        return new IntParam(this, "checkpointInterval", "epochs between checkpoints when checkpointDir is set (>= 1)",
                ParamValidators.gtEq(1));
    }

    /** Partitions the training data is packed into. */
    default IntParam numPartitions() {
        return new IntParam(this, "numPartitions", "partitions (training tasks) the data is packed into; 0: "
                + "Spark's default parallelism", ParamValidators.gtEq(0));
    }

    /** Feature scaling inside the model. */
    default Param<String> scaling() {
        return new Param<>(this, "scaling", "feature scaling fitted on the training rows and kept in the model, "
                + "one of " + SCALINGS, ParamValidators.inArray(SCALINGS.toArray(new String[0])));
    }

    /** The example-weight column. */
    default Param<String> weightCol() {
        return new Param<>(this, "weightCol", "column of example weights (>= 0) scaling each example's loss and "
                + "gradient; empty: every example weighs 1");
    }

    /** The validation-indicator column. */
    default Param<String> validationIndicatorCol() {
        return new Param<>(this, "validationIndicatorCol", "boolean column: true rows are validation data (val_ "
                + "metrics each epoch), not trained on; empty: no validation");
    }

    /**
     * Spark's {@code explainParam} with array values spelled out ({@code [256, 128]}, not an array's
     * identity); each Dendrite stage's {@code explainParam} is this.
     */
    static String explain(Params p, Param<?> param) {
        StringBuilder s = new StringBuilder(param.name()).append(": ").append(param.doc());
        List<String> values = new java.util.ArrayList<>();
        if (p.hasDefault(param)) {
            values.add("default: " + show(p.getDefault(param).get()));
        }
        if (p.isSet(param)) {
            values.add("current: " + show(p.get(param).get()));
        }
        if (p.isDefined(param)) {
            s.append(" (").append(String.join(", ", values)).append(")");
        } else {
            s.append(" (undefined)");
        }
        return s.toString();
    }

    private static String show(Object v) {
        if (v instanceof int[] a) {
            return java.util.Arrays.toString(a);
        }
        if (v instanceof double[] a) {
            return java.util.Arrays.toString(a);
        }
        if (v instanceof String[] a) {
            return java.util.Arrays.toString(a);
        }
        return String.valueOf(v);
    }

    /** Sets every default; called by each constructor. */
    static void setDefaults(NetworkParams p) {
        p.setDefault(p.hiddenLayers(), new int[] {64});
        p.setDefault(p.hiddenActivation(), "relu");
        p.setDefault(p.dropout(), 0.0);
        p.setDefault(p.optimizer(), "adam");
        p.setDefault(p.lrSchedule(), "constant");
        p.setDefault(p.lrDecaySteps(), 1000L);
        p.setDefault(p.warmupSteps(), 0L);
        p.setDefault(p.l1(), 0.0);
        p.setDefault(p.l2(), 0.0);
        p.setDefault(p.weightDecay(), 0.0);
        p.setDefault(p.clipNorm(), 0.0);
        p.setDefault(p.batchSize(), 32);
        p.setDefault(p.maxEpochs(), 1);
        p.setDefault(p.earlyStoppingMonitor(), "");
        p.setDefault(p.earlyStoppingPatience(), 0);
        p.setDefault(p.earlyStoppingMinDelta(), 0.0);
        p.setDefault(p.restoreBestWeights(), false);
        p.setDefault(p.seed(), (long) p.getClass().getName().hashCode());
        p.setDefault(p.stepMode(), io.dendrite.spark.StepTransport.BARRIER.mode().id());
        p.setDefault(p.checkpointDir(), "");
        p.setDefault(p.resumeFrom(), "");
        p.setDefault(p.handleInvalid(), "error");
        p.setDefault(p.checkpointInterval(), 1);
        p.setDefault(p.numPartitions(), 0);
        p.setDefault(p.scaling(), "none");
        p.setDefault(p.weightCol(), "");
        p.setDefault(p.validationIndicatorCol(), "");
    }

    /** The hidden layers' units. */
    default int[] getHiddenLayers() {
        return (int[]) getOrDefault(hiddenLayers());
    }

    /** The hidden activation with its alpha. */
    default Activation getActivation() {
        String name = ((String) getOrDefault(hiddenActivation())).toLowerCase(Locale.ROOT);
        double fallback = name.equals("elu") ? 1.0 : name.equals("leaky_relu") ? 0.01 : 0.0;
        double alpha = isSet(activationAlpha()) ? (Double) getOrDefault(activationAlpha()) : fallback;
        if (!name.equals("elu") && !name.equals("leaky_relu")) {
            alpha = 0;
        }
        return Activation.of(name, (float) alpha);
    }

    /** The dropout rate. */
    default double getDropout() {
        return (Double) getOrDefault(dropout());
    }

    /** The optimiser's name. */
    default String getOptimizer() {
        return (String) getOrDefault(optimizer());
    }

    /** The learning rate: the one set, else the optimiser's default. */
    default double getLearningRate() {
        return isSet(learningRate()) ? (Double) getOrDefault(learningRate())
                : Optimizers.defaultLearningRate(getOptimizer());
    }

    /** The batch size. */
    default int getBatchSize() {
        return (Integer) getOrDefault(batchSize());
    }

    /** The epochs. */
    default int getMaxEpochs() {
        return (Integer) getOrDefault(maxEpochs());
    }

    /** The seed. */
    default long getSeed() {
        return (Long) getOrDefault(seed());
    }

    /** The step mode. */
    default String getStepMode() {
        return (String) getOrDefault(stepMode());
    }

    /** The example-weight column, or empty. */
    default String getWeightCol() {
        return (String) getOrDefault(weightCol());
    }

    /** The validation-indicator column, or empty. */
    default String getValidationIndicatorCol() {
        return (String) getOrDefault(validationIndicatorCol());
    }

    /** The hidden activation's name. */
    default String getHiddenActivation() {
        return (String) getOrDefault(hiddenActivation());
    }

    /** The activation's alpha in use: as set, else 0.01 for leaky_relu, 1.0 for elu, 0 for the others. */
    default double getActivationAlpha() {
        return getActivation().alpha();
    }

    /** The momentum the optimiser uses: as set, else its default; NaN for an optimiser without one. */
    default double getMomentum() {
        return optimizerValue("momentum");
    }

    /** The beta1 the optimiser uses: as set, else its default; NaN for an optimiser without one. */
    default double getBeta1() {
        return optimizerValue("beta1");
    }

    /** The beta2 the optimiser uses: as set, else its default; NaN for an optimiser without one. */
    default double getBeta2() {
        return optimizerValue("beta2");
    }

    /** The epsilon the optimiser uses: as set, else its default; NaN for an optimiser without one. */
    default double getEpsilon() {
        return optimizerValue("epsilon");
    }

    /** The rho the optimiser uses: as set, else its default; NaN for an optimiser without one. */
    default double getRho() {
        return optimizerValue("rho");
    }

    /** The learning-rate schedule. */
    default String getLrSchedule() {
        return (String) getOrDefault(lrSchedule());
    }

    /** Steps per decay, or the cosine schedule's total. */
    default long getLrDecaySteps() {
        return (Long) getOrDefault(lrDecaySteps());
    }

    /** The factor per decay in use: as set, else 0.1 for the step schedule and 0.96 for the others. */
    default double getLrDecayRate() {
        return isSet(lrDecayRate()) ? (Double) getOrDefault(lrDecayRate()) : getLrSchedule().equals("step") ? 0.1 : 0.96;
    }

    /** The warm-up steps. */
    default long getWarmupSteps() {
        return (Long) getOrDefault(warmupSteps());
    }

    /** The L1 penalty. */
    default double getL1() {
        return (Double) getOrDefault(l1());
    }

    /** The L2 penalty. */
    default double getL2() {
        return (Double) getOrDefault(l2());
    }

    /** The decoupled weight decay. */
    default double getWeightDecay() {
        return (Double) getOrDefault(weightDecay());
    }

    /** The gradient clipping norm (0: none). */
    default double getClipNorm() {
        return (Double) getOrDefault(clipNorm());
    }

    /** The metric early stopping watches (empty: none). */
    default String getEarlyStoppingMonitor() {
        return (String) getOrDefault(earlyStoppingMonitor());
    }

    /** Early stopping's patience. */
    default int getEarlyStoppingPatience() {
        return (Integer) getOrDefault(earlyStoppingPatience());
    }

    /** Early stopping's least improvement. */
    default double getEarlyStoppingMinDelta() {
        return (Double) getOrDefault(earlyStoppingMinDelta());
    }

    /** Whether the best epoch's weights are restored. */
    default boolean getRestoreBestWeights() {
        return (Boolean) getOrDefault(restoreBestWeights());
    }

    /** The checkpoint directory (empty: none). */
    default String getCheckpointDir() {
        return (String) getOrDefault(checkpointDir());
    }

    /** How transform treats rows with invalid feature values: error, skip or keep. */
    default String getHandleInvalid() {
        return (String) getOrDefault(handleInvalid());
    }

    /** The run directory or checkpoint a fit continues from (empty: none). */
    default String getResumeFrom() {
        return (String) getOrDefault(resumeFrom());
    }

    /** Epochs between checkpoints. */
    default int getCheckpointInterval() {
        return (Integer) getOrDefault(checkpointInterval());
    }

    /** Training partitions (0: Spark's default parallelism). */
    default int getNumPartitions() {
        return (Integer) getOrDefault(numPartitions());
    }

    /** The feature scaling inside the model. */
    default String getScaling() {
        return (String) getOrDefault(scaling());
    }

    /**
     * Where the optimiser takes its hyper-parameters from: the params set, else its defaults; a value set
     * outside the optimiser's range fails naming the param.
     */
    default Optimizers.Settings optimizerSettings(String stage) {
        String name = getOptimizer();
        return (key, fallback, min, max) -> {
            String param = switch (key) {
                case "alpha" -> "rho"; // RMSprop's decay
                case "momentum", "beta1", "beta2", "epsilon", "rho" -> key;
                default -> null;
            };
            if (param == null || !isSet(getParam(param))) {
                return fallback;
            }
            double v = number(getParam(param));
            if (v < min || v > max) {
                throw new IllegalArgumentException(stage + ": " + param + " of " + name + " must be in [" + min + ", "
                        + max + "] but is " + v);
            }
            return (float) v;
        };
    }

    private double optimizerValue(String param) {
        Optimizers.Settings settings = optimizerSettings(uid());
        double[] value = {Double.NaN};
        Optimizers.of(getOptimizer(), (float) getLearningRate(), (key, fallback, min, max) -> {
            float v = settings.get(key, fallback, min, max);
            if (key.equals(param) || param.equals("rho") && key.equals("alpha")) {
                value[0] = v;
            }
            return v;
        });
        return value[0];
    }

    /** A string param's value. */
    default String string(Param<String> p) {
        return (String) getOrDefault(p);
    }

    /** A number param's value. */
    default double number(Param<?> p) {
        return ((Number) getOrDefault(p)).doubleValue();
    }
}
