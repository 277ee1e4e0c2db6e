package io.dendrite.core.train;

import io.dendrite.core.data.Dataset;
import io.dendrite.core.data.FeatureScaler;
import io.dendrite.core.kernel.Kernel;
import io.dendrite.core.kernel.Kernels;
import io.dendrite.core.loss.LossStats;
import io.dendrite.core.model.Model;
import io.dendrite.core.nn.Network;
import io.dendrite.core.nn.Workspace;
import io.dendrite.core.optim.Optimizer;
import io.dendrite.core.optim.UpdateRule;
import io.dendrite.core.util.Checks;
import io.dendrite.core.util.Rng;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Trains a network in one JVM by mini-batch gradient descent: a batch of the whole set is batch
 * gradient descent, a batch of one is plain SGD. Reusable configuration: each {@link #fit} derives its
 * random streams from the seed and copies the optimiser, so two fits never share state and the same
 * seed gives bit-identical weights. Batches follow {@link BatchPlan} with the data as one partition.
 * Built by {@link Sequential}.
 */
public final class Trainer {
    /** Stream ids for {@link Rng#derive}: one independent stream per purpose. */
    static final long INIT_STREAM = 1;
    static final long SPLIT_STREAM = 2;
    static final long SHUFFLE_STREAM = 3;
    static final long DROPOUT_STREAM = 4;

    private final TrainingConfig config;
    private final ProgressListener progress;

    /** A trainer for {@code config} reporting each epoch to {@code progress}. */
    public Trainer(TrainingConfig config, ProgressListener progress) {
        this.config = config;
        this.progress = progress;
        new Network(config.spec(), config.loss(), Kernels.get()); // fail now on a loss that does not suit the output
    }

    /** The configuration. */
    public TrainingConfig config() {
        return config;
    }

    /** The seed of the split {@link #fit(Dataset)} makes for a validation split. */
    public static long splitSeed(long seed) {
        return Rng.derive(seed, SPLIT_STREAM);
    }

    /** Trains on {@code data}, holding out {@link Sequential#validationSplit} of it for validation if set. */
    public Model fit(Dataset data) {
        if (config.validationSplit() > 0) {
            Dataset[] parts = data.split(config.validationSplit(), splitSeed(config.seed()));
            return fit(parts[0], parts[1]);
        }
        return fit(data, null);
    }

    /** Trains on {@code train}, reporting {@code val_} metrics on {@code validation} (may be null) each epoch. */
    public Model fit(Dataset train, Dataset validation) {
        return fitPartitioned(train, validation, new long[] {train.rows()});
    }

    /**
     * Trains as the distributed trainer does on data held in consecutive partitions of
     * {@code partitionRows} rows: each step takes every partition's share of the batch ({@link BatchPlan})
     * and computes the gradient of their concatenation in one pass. Only the order of float summation
     * differs from the distributed run, which is what the equivalence tests compare against. With one
     * partition this is {@link #fit(Dataset, Dataset)}.
     */
    public Model fitPartitioned(Dataset train, Dataset validation, long[] partitionRows) {
        checkData("training data", train);
        if (validation != null) {
            checkData("validation data", validation);
        }
        Checks.checkArgument(validation != null || !config.needsValidation(),
                "a callback monitors a val_ metric but there is no validation data; set validationSplit or pass a "
                        + "validation set");
        long covered = 0;
        for (long r : partitionRows) {
            Checks.checkArgument(r >= 0, "partition sizes must be >= 0 but got %s", java.util.Arrays.toString(partitionRows));
            covered += r;
        }
        Checks.checkArgument(covered == train.rows(), "partitions of %s rows cover %s rows but the data has %s",
                java.util.Arrays.toString(partitionRows), covered, train.rows());
        Kernel kernel = Kernels.get();
        Network network = new Network(config.spec(), config.loss(), kernel);
        FeatureScaler scaler = config.fitScaler(train);
        Dataset x = train.scaled(scaler);
        Dataset val = validation == null ? null : validation.scaled(scaler);
        long seed = config.seed();

        float[] params = config.spec().initialParameters(BatchPlan.initSeed(seed));
        Optimizer opt = config.optimizer().copy();
        opt.initialize(params.length);
        UpdateRule rule = new UpdateRule(opt, config.schedule(), config.regularization(),
                config.spec().weightRanges(), kernel);
        EpochCallbacks callbacks = new EpochCallbacks(config.earlyStopping(), config.plateau());

        int n = x.rows();
        int fw = x.featureWidth();
        int tw = x.targetWidth();
        int partitions = partitionRows.length;
        int b = Math.min(config.batchSize() + partitions, n); // shares round to within one row per partition
        float[] xb = new float[b * fw];
        float[] yb = new float[b * tw];
        float[] grad = new float[params.length];
        Workspace ws = network.newWorkspace();
        History history = new History();
        long steps = BatchPlan.stepsPerEpoch(n, config.batchSize());
        int[] firstRow = new int[partitions];
        for (int p = 1; p < partitions; p++) {
            firstRow[p] = firstRow[p - 1] + (int) partitionRows[p - 1];
        }
        for (int epoch = 0; epoch < config.epochs(); epoch++) {
            long started = System.nanoTime();
            int[][] orders = new int[partitions][];
            for (int p = 0; p < partitions; p++) {
                orders[p] = BatchPlan.order((int) partitionRows[p], seed, epoch, p);
            }
            LossStats stats = LossStats.EMPTY;
            double penaltySum = 0;
            float lr = 0f;
            for (long s = 0; s < steps; s++) {
                int m = 0;
                for (int p = 0; p < partitions; p++) {
                    long[] range = BatchPlan.range(partitionRows[p], n, config.batchSize(), s);
                    for (long i = range[0]; i < range[1]; i++, m++) {
                        int r = firstRow[p] + orders[p][(int) i];
                        System.arraycopy(x.features(), r * fw, xb, m * fw, fw);
                        System.arraycopy(x.targets(), r * tw, yb, m * tw, tw);
                    }
                }
                java.util.Arrays.fill(grad, 0f);
                stats = stats.plus(network.accumulateGradient(params, xb, 0, yb, 0, tw, m, grad, ws,
                        BatchPlan.dropoutSeed(seed, opt.iterations(), 0)));
                UpdateRule.Applied applied = rule.applyInPlace(params, grad, m, callbacks.rateMultiplier());
                penaltySum += m * applied.penalty();
                lr = applied.learningRate();
            }
            Map<String, Double> logs = epochLogs(stats, penaltySum, lr, config.loss().isClassification());
            if (val != null) {
                LossStats v = network.evaluate(params, val.features(), 0, val.targets(), 0, tw, val.rows(), ws);
                addValidation(logs, v, config.loss().isClassification());
            }
            history.add(logs);
            double seconds = (System.nanoTime() - started) / 1e9;
            progress.onEpochEnd(epoch + 1, config.epochs(), logs, seconds, n / seconds);
            if (callbacks.onEpochEnd(epoch, logs, rule.scheduledRate(), params)) {
                break;
            }
        }
        if (callbacks.bestWeights() != null) {
            params = callbacks.bestWeights();
        }
        Map<String, Object> summary = summary(config, "single-jvm", kernel, opt, history, train.rows(),
                callbacks.bestEpoch());
        return new Model(config.spec(), config.loss(), params, scaler, config.labels(), summary);
    }

    /** The training metrics of an epoch: mean loss including the penalty, accuracy for classifiers. */
    public static Map<String, Double> epochLogs(LossStats stats, double penaltySum, float lr, boolean classification) {
        Map<String, Double> logs = new LinkedHashMap<>();
        logs.put("loss", (stats.lossSum() + penaltySum) / stats.count());
        if (classification) {
            logs.put("accuracy", stats.accuracy());
        }
        logs.put("lr", (double) lr);
        return logs;
    }

    /** Adds {@code val_loss} (and {@code val_accuracy}) before the rate in an epoch's metrics. */
    public static void addValidation(Map<String, Double> logs, LossStats v, boolean classification) {
        Double lr = logs.remove("lr");
        logs.put("val_loss", v.meanLoss());
        if (classification) {
            logs.put("val_accuracy", v.accuracy());
        }
        logs.put("lr", lr);
    }

    private void checkData(String what, Dataset d) {
        Checks.checkArgument(d.featureWidth() == config.spec().inputWidth(),
                "%s has %s features but the network expects %s", what, d.featureWidth(), config.spec().inputWidth());
        try {
            config.loss().checkTargets(d.targets(), d.rows(), d.targetWidth(), config.spec().outputWidth());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + ": " + e.getMessage(), e);
        }
    }

    /** The training summary stored in the model file. */
    public static Map<String, Object> summary(TrainingConfig config, String trainer, Kernel kernel, Optimizer opt,
                                              History history, long examples, int bestEpoch) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("trainer", trainer);
        s.put("kernel", kernel.name());
        s.put("optimizer", opt.id());
        s.put("optimizer_config", new java.util.TreeMap<>(opt.config()));
        s.put("batch_size", config.batchSize());
        s.put("epochs_run", history.epochs());
        s.put("steps", opt.iterations());
        s.put("seed", config.seed());
        s.put("training_examples", examples);
        if (bestEpoch >= 0) {
            s.put("best_epoch", bestEpoch + 1);
        }
        if (history.epochs() > 0) {
            s.put("final", history.epoch(history.epochs() - 1));
        }
        s.put("history", history.asMap());
        return s;
    }
}
