package io.dendrite.core.train;

import io.dendrite.core.data.Dataset;
import io.dendrite.core.data.FeatureScaler;
import io.dendrite.core.kernel.Kernel;
import io.dendrite.core.kernel.Kernels;
import io.dendrite.core.loss.Loss;
import io.dendrite.core.loss.LossStats;
import io.dendrite.core.model.Model;
import io.dendrite.core.nn.Network;
import io.dendrite.core.nn.NetworkSpec;
import io.dendrite.core.nn.Workspace;
import io.dendrite.core.optim.LearningRateSchedule;
import io.dendrite.core.optim.Optimizer;
import io.dendrite.core.optim.Regularization;
import io.dendrite.core.util.Checks;
import io.dendrite.core.util.Rng;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Trains a network in one JVM by mini-batch gradient descent: a batch of the whole set is batch
 * gradient descent, a batch of one is plain SGD. Reusable configuration: each {@link #fit} derives its
 * random streams from the seed and copies the optimiser, so two fits never share state and the same
 * seed gives bit-identical weights. Built by {@link Sequential}.
 */
public final class Trainer {
    /** Stream ids for {@link Rng#derive}: one independent stream per purpose. */
    static final long INIT_STREAM = 1;
    static final long SPLIT_STREAM = 2;
    static final long SHUFFLE_STREAM = 3;
    static final long DROPOUT_STREAM = 4;

    private final NetworkSpec spec;
    private final Loss loss;
    private final Optimizer optimizer;
    private final LearningRateSchedule schedule;
    private final Regularization regularization;
    private final int batchSize;
    private final int epochs;
    private final long seed;
    private final double validationSplit;
    private final EarlyStopping earlyStopping;
    private final ReduceLrOnPlateau plateau;
    private final Function<Dataset, FeatureScaler> scaling;
    private final List<String> labels;
    private final ProgressListener progress;

    Trainer(NetworkSpec spec, Loss loss, Optimizer optimizer, LearningRateSchedule schedule,
            Regularization regularization, int batchSize, int epochs, long seed, double validationSplit,
            EarlyStopping earlyStopping, ReduceLrOnPlateau plateau, Function<Dataset, FeatureScaler> scaling,
            List<String> labels, ProgressListener progress) {
        this.spec = spec;
        this.loss = loss;
        this.optimizer = optimizer;
        this.schedule = schedule;
        this.regularization = regularization;
        this.batchSize = Checks.atLeast("batch size", batchSize, 1);
        this.epochs = Checks.atLeast("epochs", epochs, 1);
        this.seed = seed;
        Checks.checkArgument(validationSplit >= 0 && validationSplit < 1,
                "validation split must be in [0, 1) but was %s", validationSplit);
        this.validationSplit = validationSplit;
        this.earlyStopping = earlyStopping;
        this.plateau = plateau;
        this.scaling = scaling;
        this.labels = List.copyOf(labels);
        this.progress = progress;
        new Network(spec, loss, Kernels.get()); // fail now, not at fit, on a loss that does not suit the output
    }

    /** The network this trainer builds. */
    public NetworkSpec spec() {
        return spec;
    }

    /** Trains on {@code data}, holding out {@link Sequential#validationSplit} of it for validation if set. */
    public Model fit(Dataset data) {
        if (validationSplit > 0) {
            Dataset[] parts = data.split(validationSplit, Rng.derive(seed, SPLIT_STREAM));
            return fit(parts[0], parts[1]);
        }
        return fit(data, null);
    }

    /** Trains on {@code train}, reporting {@code val_} metrics on {@code validation} (may be null) each epoch. */
    public Model fit(Dataset train, Dataset validation) {
        checkData("training data", train);
        if (validation != null) {
            checkData("validation data", validation);
        }
        boolean needsValidation = (earlyStopping != null && earlyStopping.monitor().startsWith("val_"))
                || (plateau != null && plateau.monitor().startsWith("val_"));
        Checks.checkArgument(validation != null || !needsValidation,
                "a callback monitors a val_ metric but there is no validation data; set validationSplit or pass a "
                        + "validation set");
        Kernel kernel = Kernels.get();
        Network network = new Network(spec, loss, kernel);
        FeatureScaler scaler = scaling.apply(train);
        Dataset x = train.scaled(scaler);
        Dataset val = validation == null ? null : validation.scaled(scaler);

        float[] params = spec.initialParameters(Rng.derive(seed, INIT_STREAM));
        Optimizer opt = optimizer.copy();
        opt.initialize(params.length);
        EarlyStopping.Tracker stopper = earlyStopping == null ? null : new EarlyStopping.Tracker(earlyStopping);
        ReduceLrOnPlateau.Tracker reducer = plateau == null ? null : new ReduceLrOnPlateau.Tracker(plateau);
        float[] best = null;

        int n = x.rows();
        int fw = x.featureWidth();
        int tw = x.targetWidth();
        int b = Math.min(batchSize, n);
        float[] xb = new float[b * fw];
        float[] yb = new float[b * tw];
        float[] grad = new float[params.length];
        Workspace ws = network.newWorkspace();
        List<int[]> weightRanges = spec.weightRanges();
        int[] order = new int[n];
        History history = new History();
        int epoch = 0;
        while (epoch < epochs) {
            long started = System.nanoTime();
            Arrays.setAll(order, i -> i);
            new Rng(Rng.derive(seed, SHUFFLE_STREAM, epoch)).shuffleInPlace(order);
            LossStats stats = LossStats.EMPTY;
            double penaltySum = 0;
            float lr = 0f;
            for (int start = 0; start < n; start += b) {
                int m = Math.min(b, n - start);
                for (int i = 0; i < m; i++) {
                    int r = order[start + i];
                    System.arraycopy(x.features(), r * fw, xb, i * fw, fw);
                    System.arraycopy(x.targets(), r * tw, yb, i * tw, tw);
                }
                Arrays.fill(grad, 0f);
                long step = opt.iterations();
                stats = stats.plus(network.accumulateGradient(params, xb, 0, yb, 0, tw, m, grad, ws,
                        Rng.derive(seed, DROPOUT_STREAM, step)));
                kernel.scaleInPlace(grad.length, 1f / m, grad, 0);
                penaltySum += m * regularization.addPenaltyGradient(params, grad, weightRanges, kernel);
                regularization.clipInPlace(grad, kernel);
                lr = schedule.rate(opt.learningRate(), step) * (reducer == null ? 1f : reducer.multiplier());
                regularization.decayWeightsInPlace(params, lr, weightRanges, kernel);
                opt.step(params, grad, lr, kernel);
            }
            Map<String, Double> logs = new LinkedHashMap<>();
            logs.put("loss", (stats.lossSum() + penaltySum) / n);
            if (loss.isClassification()) {
                logs.put("accuracy", stats.accuracy());
            }
            if (val != null) {
                LossStats v = network.evaluate(params, val.features(), 0, val.targets(), 0, tw, val.rows(), ws);
                logs.put("val_loss", v.meanLoss());
                if (loss.isClassification()) {
                    logs.put("val_accuracy", v.accuracy());
                }
            }
            logs.put("lr", (double) lr);
            history.add(logs);
            double seconds = (System.nanoTime() - started) / 1e9;
            epoch++;
            progress.onEpochEnd(epoch, epochs, logs, seconds, n / seconds);
            if (reducer != null) {
                reducer.observe(logs, schedule.rate(opt.learningRate(), opt.iterations()));
            }
            if (stopper != null) {
                if (stopper.observe(epoch - 1, logs) && earlyStopping.restoreBestWeights()) {
                    best = params.clone();
                }
                if (stopper.shouldStop()) {
                    break;
                }
            }
        }
        if (best != null) {
            params = best;
        }
        return new Model(spec, loss, params, scaler, labels,
                summary(opt, kernel, history, train.rows(), stopper));
    }

    private void checkData(String what, Dataset d) {
        Checks.checkArgument(d.featureWidth() == spec.inputWidth(), "%s has %s features but the network expects %s",
                what, d.featureWidth(), spec.inputWidth());
        try {
            loss.checkTargets(d.targets(), d.rows(), d.targetWidth(), spec.outputWidth());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + ": " + e.getMessage(), e);
        }
    }

    private Map<String, Object> summary(Optimizer opt, Kernel kernel, History history, int examples,
                                        EarlyStopping.Tracker stopper) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("trainer", "single-jvm");
        s.put("kernel", kernel.name());
        s.put("optimizer", opt.id());
        s.put("optimizer_config", new java.util.TreeMap<>(opt.config()));
        s.put("batch_size", batchSize);
        s.put("epochs_run", history.epochs());
        s.put("steps", opt.iterations());
        s.put("seed", seed);
        s.put("training_examples", examples);
        if (stopper != null) {
            s.put("best_epoch", stopper.bestEpoch() + 1);
        }
        s.put("final", history.epoch(history.epochs() - 1));
        s.put("history", history.asMap());
        return s;
    }
}
