package io.dendrite.spark;

import io.dendrite.core.data.FeatureScaler;
import io.dendrite.core.kernel.Kernel;
import io.dendrite.core.kernel.Kernels;
import io.dendrite.core.loss.Loss;
import io.dendrite.core.loss.LossStats;
import io.dendrite.core.model.Model;
import io.dendrite.core.optim.UpdateRule;
import io.dendrite.core.train.BatchPlan;
import io.dendrite.core.train.EpochCallbacks;
import io.dendrite.core.train.History;
import io.dendrite.core.train.Trainer;
import io.dendrite.core.train.TrainingConfig;
import io.dendrite.core.util.Checks;
import io.dendrite.datasets.ExampleBlock;
import io.dendrite.datasets.ShardedDataset;
import io.dendrite.ps.GradientAccumulator;
import io.dendrite.ps.ParameterAverager;
import io.dendrite.ps.TrainingCheckpoint;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;

/**
 * Synchronous data-parallel training on Spark (DESIGN.md, "One training step"): the driver's
 * {@link ParameterAverager} publishes the weights; each cached partition computes the gradient of its
 * share of the global batch ({@link BatchPlan}) with the kernel; the merged result comes back to the
 * driver, which applies the update. How a step travels is the {@link StepTransport}: one Spark job per
 * step ({@link JobExchange}) or long-lived barrier tasks talking to a parameter server on the driver
 * ({@link BarrierExchange}); both give the same bits. Each epoch ends with validation, callbacks and an
 * optional checkpoint. With one partition it equals the single-JVM {@link Trainer} bit for bit.
 */
public final class SparkTrainer {
    private final TrainingConfig config;
    private final StepTransport transport;
    private final CheckpointPolicy checkpoints;
    private final EpochReport.Listener listener;
    private final Divergence divergence;
    /** The last checkpoint of the current run (written, or resumed from), for the divergence message. */
    private String lastCheckpoint;

    /** What a step whose loss or gradient is not finite does: stop the run there, or skip the step and count it. */
    public enum Divergence {
        /** Fail the run at that step with {@link TrainingDivergedException}, before the update. */
        STOP,
        /** Leave the weights as they were, count the step in {@code skipped_steps}, and go on. */
        SKIP
    }

    /** Where and how often to checkpoint; {@code root} null means never. */
    public record CheckpointPolicy(String root, long everySteps, int everyEpochs, int keep) {
        /** No checkpoints. */
        public static final CheckpointPolicy NONE = new CheckpointPolicy(null, 0, 0, 1);

        /** Validates. */
        public CheckpointPolicy {
            Checks.checkArgument(everySteps >= 0 && everyEpochs >= 0, "checkpoint intervals must be >= 0");
            Checks.atLeast("checkpoints kept", keep, 1);
            Checks.checkArgument(root == null || everySteps > 0 || everyEpochs > 0,
                    "a checkpoint directory needs every_steps or every_epochs > 0");
        }
    }

    /** A trainer for {@code config} that runs one Spark job per step. */
    public SparkTrainer(TrainingConfig config, CheckpointPolicy checkpoints, EpochReport.Listener listener) {
        this(config, StepTransport.JOB, checkpoints, listener);
    }

    /** A trainer for {@code config} whose steps travel by {@code transport}. */
    public SparkTrainer(TrainingConfig config, StepTransport transport, CheckpointPolicy checkpoints,
                        EpochReport.Listener listener) {
        this(config, transport, checkpoints, listener, Divergence.STOP);
    }

    private SparkTrainer(TrainingConfig config, StepTransport transport, CheckpointPolicy checkpoints,
                         EpochReport.Listener listener, Divergence divergence) {
        this.config = config;
        this.transport = transport;
        this.checkpoints = checkpoints;
        this.listener = listener;
        this.divergence = divergence;
    }

    /** The same trainer with {@code divergence} for steps whose loss or gradient is not finite (default STOP). */
    public SparkTrainer withDivergence(Divergence d) {
        return new SparkTrainer(config, transport, checkpoints, listener, d);
    }

    /** Trains from scratch; {@code validation} may be null (then the configured validation split is used). */
    public TrainingResult fit(ShardedDataset train, ShardedDataset validation) {
        return run(train, validation, null, null);
    }

    /** Continues the run saved at {@code checkpoint} (a checkpoint directory or a root holding several). */
    public TrainingResult resume(ShardedDataset train, ShardedDataset validation, String checkpoint) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(train.blocks().context());
        try {
            Path resolved = Checkpoints.resolve(jsc.hadoopConfiguration(), new Path(checkpoint));
            return run(train, validation, Checkpoints.read(jsc.hadoopConfiguration(), resolved), resolved.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("resume: cannot read checkpoint " + checkpoint, e);
        }
    }

    private TrainingResult run(ShardedDataset trainData, ShardedDataset validationData, TrainingCheckpoint from,
                               String resumedFrom) {
        lastCheckpoint = resumedFrom;
        // Weights and gradients travel as one array per step: 4 bytes a weight within one 2 GiB frame (the
        // parameter server's, and Kryo's largest buffer in job mode). Refused before anything is allocated.
        Checks.checkArgument(config.spec().parameterCount() <= io.dendrite.ps.ParameterServer.MAX_PARAMETERS,
                "the network has %s parameters but a training step carries at most %s (4 bytes each in one 2 GiB "
                        + "frame); use fewer or smaller layers", config.spec().parameterCount(),
                io.dendrite.ps.ParameterServer.MAX_PARAMETERS);
        ShardedDataset train = trainData;
        ShardedDataset validation = validationData;
        if (validation == null && config.validationSplit() > 0) {
            ShardedDataset[] parts = train.split(new double[] {1 - config.validationSplit(), config.validationSplit()},
                    Trainer.splitSeed(config.seed()));
            train = parts[0];
            validation = parts[1];
        }
        Checks.checkArgument(validation != null || !config.needsValidation(),
                "a callback monitors a val_ metric but there is no validation data; set a validation split or set");
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(train.blocks().context());
        long[] partitionRows = prepare("training data", train);
        if (validation != null) {
            prepare("validation data", validation);
        }
        long total = 0;
        for (long r : partitionRows) {
            total += r;
        }
        Checks.checkArgument(total > 0, "training data %s holds no rows", train.source());
        Kernel kernel = Kernels.get();
        String fingerprint = fingerprint(config);
        FeatureScaler scaler;
        ParameterAverager averager;
        EpochCallbacks callbacks = new EpochCallbacks(config.earlyStopping(), config.plateau());
        History history = new History();
        int startEpoch = 0;
        long startStep = 0;
        LossStats epochStats = LossStats.EMPTY;
        double epochPenalty = 0;
        float lr = 0f;
        if (from == null) {
            scaler = train.fitScaler(config.scaling(), config.scalingDivisor());
            averager = ParameterAverager.start(config, kernel);
        } else {
            checkResumable(from, fingerprint, partitionRows);
            scaler = from.scaler();
            averager = ParameterAverager.resume(config, kernel, from.weights(), from.iterations(), from.optimizerState());
            callbacks.restore(from.callbacks());
            from.history().forEach(history::add);
            startEpoch = from.epoch();
            startStep = from.stepInEpoch();
            epochStats = from.epochStats();
            epochPenalty = from.epochPenalty();
            lr = from.lastRate();
        }

        JavaRDD<ExampleBlock> blocks = train.blocks();
        int partitions = partitionRows.length;
        long stepsPerEpoch = BatchPlan.stepsPerEpoch(total, config.batchSize());
        List<StepTimes> epochTimes = new ArrayList<>();
        PartitionShare share = new PartitionShare(config.spec(), config.loss(), scaler, config.seed(),
                config.batchSize(), partitionRows, total);
        long trainingStarted = System.nanoTime();
        long examplesSeen = 0;
        long skipped = 0;
        try (StepExchange exchange = transport.mode() == StepTransport.Mode.BARRIER
                ? BarrierExchange.open(jsc, blocks, share, transport) : new JobExchange(jsc, blocks, share)) {
            for (int epoch = startEpoch; epoch < config.epochs(); epoch++) {
                long epochStarted = System.nanoTime();
                StepTimes times = new StepTimes();
                long epochExamples = 0;
                long first = epoch == startEpoch ? startStep : 0;
                if (first < stepsPerEpoch) {
                    exchange.beginEpoch(epoch);
                }
                for (long s = first; s < stepsPerEpoch; s++) {
                    StepExchange.Result step = exchange.step(epoch, s, averager.step(), averager.weights());
                    long t2 = System.nanoTime();
                    GradientAccumulator merged = step.merged();
                    GradientAccumulator.Node result = merged.total();
                    if (!finite(kernel, result)) {
                        if (divergence == Divergence.STOP) {
                            throw diverged(averager.step(), epoch, s, stepsPerEpoch, result);
                        }
                        skipped++;
                        continue;
                    }
                    UpdateRule.Applied applied = averager.apply(result, callbacks.rateMultiplier());
                    long t3 = System.nanoTime();
                    LossStats stats = result.stats();
                    epochStats = epochStats.plus(stats);
                    epochPenalty += stats.count() * applied.penalty();
                    epochExamples += stats.count();
                    lr = applied.learningRate();
                    times.add(step.publishNanos(), step.waitNanos(), result.computeNanos(),
                            merged.mergeNanos() + merged.transferNanos(), t3 - t2);
                    listener.onStepEnd(averager.step());
                    if (checkpoints.root() != null && checkpoints.everySteps() > 0
                            && averager.step() % checkpoints.everySteps() == 0) {
                        save(jsc, averager, checkpoint(fingerprint, epoch, s + 1, partitionRows, averager, callbacks,
                                history, epochStats, epochPenalty, lr, scaler));
                    }
                }
                if (first < stepsPerEpoch) {
                    exchange.endEpoch();
                }
                Map<String, Double> logs = Trainer.epochLogs(epochStats, epochPenalty, lr,
                        config.loss().isClassification());
                if (validation != null) {
                    Broadcast<float[]> published = jsc.broadcast(averager.weights().clone());
                    try {
                        LossStats v = EvaluationTask.run(validation.blocks(),
                                new EvaluationTask(published, config.spec(), config.loss(), scaler));
                        Trainer.addValidation(logs, v, config.loss().isClassification());
                    } finally {
                        published.destroy(false);
                    }
                }
                history.add(logs);
                epochTimes.add(times);
                examplesSeen += epochExamples;
                double seconds = (System.nanoTime() - epochStarted) / 1e9;
                listener.onEpochEnd(new EpochReport(epoch + 1, config.epochs(), logs, seconds,
                        epochExamples / seconds, times));
                boolean stop = callbacks.onEpochEnd(epoch, logs, averager.scheduledRate(), averager.weights());
                epochStats = LossStats.EMPTY;
                epochPenalty = 0;
                if (stop) {
                    break;
                }
                if (checkpoints.root() != null && checkpoints.everyEpochs() > 0
                        && (epoch + 1) % checkpoints.everyEpochs() == 0 && epoch + 1 < config.epochs()) {
                    save(jsc, averager, checkpoint(fingerprint, epoch + 1, 0, partitionRows, averager, callbacks,
                            history, epochStats, epochPenalty, lr, scaler));
                }
            }
        }
        double seconds = (System.nanoTime() - trainingStarted) / 1e9;
        float[] weights = callbacks.bestWeights() != null ? callbacks.bestWeights() : averager.weights().clone();
        requireFiniteWeights(weights, averager.step(), "model");
        Map<String, Object> summary = Trainer.summary(config, "spark", kernel, averager.optimizer(), history, total,
                callbacks.bestEpoch());
        summary.put("partitions", partitions);
        summary.put("skipped_steps", skipped);
        summary.put("step_mode", transport.mode().name().toLowerCase(java.util.Locale.ROOT));
        summary.put("master", jsc.master());
        Model model = new Model(config.spec(), config.loss(), weights, scaler, config.labels(), summary);
        return new TrainingResult(model, history, epochTimes, partitions, kernel.name(),
                seconds > 0 ? examplesSeen / seconds : 0, seconds);
    }

    /**
     * Caches the data if it is not, checks every block's width and targets on the executors, and returns
     * the rows in each partition (one pass).
     */
    private long[] prepare(String what, ShardedDataset data) {
        Checks.checkArgument(data.featureWidth() == config.spec().inputWidth(),
                "%s (%s) has %s features but the network expects %s", what, data.source(), data.featureWidth(),
                config.spec().inputWidth());
        if (data.blocks().getStorageLevel().equals(StorageLevel.NONE())) {
            data.blocks().persist(StorageLevel.MEMORY_ONLY());
        }
        Loss loss = config.loss();
        int outputs = config.spec().outputWidth();
        String source = data.source();
        List<Long> rows = data.blocks().mapPartitionsWithIndex((p, it) -> {
            long n = 0;
            while (it.hasNext()) {
                ExampleBlock b = it.next();
                try {
                    loss.checkTargets(b.targets(), b.rows(), b.targetWidth(), outputs);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(what + " " + source + ", partition " + p + ", block at partition row " + n
                            + ": " + e.getMessage(), e);
                }
                n += b.rows();
            }
            return List.of(n).iterator();
        }, true).collect();
        return rows.stream().mapToLong(Long::longValue).toArray();
    }

    /** True when the step's loss and every gradient value are finite. */
    private static boolean finite(Kernel kernel, GradientAccumulator.Node result) {
        float[] g = result.gradient();
        // A non-finite value makes the sum of squares non-finite (as does a gradient past 1e19, diverged anyway).
        return Double.isFinite(result.stats().lossSum()) && Double.isFinite(kernel.sumOfSquares(g.length, g, 0));
    }

    private TrainingDivergedException diverged(long step, int epoch, long stepInEpoch, long stepsPerEpoch,
                                               GradientAccumulator.Node result) {
        String what = Double.isFinite(result.stats().lossSum()) ? "the gradient" : "the loss ("
                + result.stats().lossSum() + ")";
        return new TrainingDivergedException("training diverged at step " + (step + 1) + " (epoch " + (epoch + 1)
                + ", batch " + (stepInEpoch + 1) + " of " + stepsPerEpoch + "): " + what + " is not finite; the "
                + "update was not applied. Last good checkpoint: " + (lastCheckpoint == null ? "none" : lastCheckpoint)
                + ". Lower the learning rate or set clip_norm, or set training.on_divergence: skip");
    }

    /**
     * A finite gradient can still push weights past the float range; such weights are never written. The
     * next step's loss would not be finite either, so this only fires where a write comes first.
     */
    private void requireFiniteWeights(float[] w, long step, String what) {
        if (!Double.isFinite(Kernels.get().sumOfSquares(w.length, w, 0))) {
            throw new TrainingDivergedException("training diverged: the update of step " + step + " made the weights "
                    + "non-finite, so no " + what + " is written. Last good checkpoint: "
                    + (lastCheckpoint == null ? "none" : lastCheckpoint) + ". Lower the learning rate or set clip_norm");
        }
    }

    private void save(JavaSparkContext jsc, ParameterAverager averager, TrainingCheckpoint c) {
        requireFiniteWeights(c.weights(), averager.step(), "checkpoint");
        try {
            lastCheckpoint = Checkpoints.write(jsc.hadoopConfiguration(), new Path(checkpoints.root()), averager.step(),
                    c, checkpoints.keep()).toString();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a checkpoint under " + checkpoints.root(), e);
        }
    }

    private TrainingCheckpoint checkpoint(String fingerprint, int epoch, long stepInEpoch, long[] partitionRows,
                                          ParameterAverager averager, EpochCallbacks callbacks, History history,
                                          LossStats epochStats, double epochPenalty, float lr, FeatureScaler scaler) {
        Map<String, float[]> state = new LinkedHashMap<>();
        averager.optimizer().state().forEach((k, v) -> state.put(k, v.clone()));
        List<Map<String, Double>> epochs = new ArrayList<>();
        for (int i = 0; i < history.epochs(); i++) {
            epochs.add(history.epoch(i));
        }
        return new TrainingCheckpoint(fingerprint, config.seed(), epoch, stepInEpoch, partitionRows,
                averager.weights().clone(), averager.optimizer().id(), averager.step(), state, callbacks.state(), epochs,
                epochStats, epochPenalty, lr, scaler);
    }

    private static void checkResumable(TrainingCheckpoint c, String fingerprint, long[] partitionRows) {
        Checks.checkArgument(c.fingerprint().equals(fingerprint),
                "resume: the checkpoint was written by another configuration:%n  checkpoint: %s%n  this job:   %s",
                c.fingerprint(), fingerprint);
        Checks.checkArgument(java.util.Arrays.equals(c.partitionRows(), partitionRows),
                "resume: the checkpoint's batches were planned over partitions of %s rows but the data now has %s; "
                        + "read it with the same partitioning", java.util.Arrays.toString(c.partitionRows()),
                java.util.Arrays.toString(partitionRows));
    }

    /** What must match for a checkpoint to continue this configuration. */
    static String fingerprint(TrainingConfig c) {
        return c.spec().describe() + " | loss " + c.loss().id() + " | " + c.optimizer().id() + " "
                + new java.util.TreeMap<>(c.optimizer().config()) + " | batch " + c.batchSize() + " | seed " + c.seed()
                + " | scaling " + c.scaling();
    }
}
