package io.dendrite.spark;

import io.dendrite.core.data.FeatureScaler;
import io.dendrite.core.kernel.Kernel;
import io.dendrite.core.kernel.Kernels;
import io.dendrite.core.loss.Loss;
import io.dendrite.core.loss.LossStats;
import io.dendrite.core.model.Model;
import io.dendrite.core.model.StateStore;
import io.dendrite.core.run.BatchPlan;
import io.dendrite.core.run.Checkpoint;
import io.dendrite.core.run.CheckpointPolicy;
import io.dendrite.core.run.Checkpoints;
import io.dendrite.core.run.DataFingerprint;
import io.dendrite.core.run.Divergence;
import io.dendrite.core.run.EpochReport;
import io.dendrite.core.run.MasterWeights;
import io.dendrite.core.run.Run;
import io.dendrite.core.run.Streams;
import io.dendrite.core.run.TrainingConfig;
import io.dendrite.core.run.TrainingLoop;
import io.dendrite.core.step.Steps;
import io.dendrite.core.train.Trainer;
import io.dendrite.core.util.Checks;
import io.dendrite.datasets.ExampleBlock;
import io.dendrite.datasets.ShardedDataset;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;

/**
 * Synchronous data-parallel training on Spark: the run's one loop ({@link TrainingLoop}, the same the
 * single-JVM {@link Trainer} runs) with its steps computed by the executors. Each step the driver's
 * {@link MasterWeights} are published; each cached partition computes the gradient of its share of the
 * global batch ({@link BatchPlan}) with the kernel; the shares merge along the fixed tree and come back to the
 * driver, which applies the update. How a step travels is the {@link StepTransport}'s mode, each a
 * {@link Steps}: one Spark job per step ({@link JobExchange}), long-lived barrier tasks talking to a parameter
 * server on the driver ({@link BarrierExchange}), or elastic tasks ({@link ElasticExchange}); all give the
 * same bits. Each epoch ends with validation (a Spark job), callbacks and an optional checkpoint on any Hadoop
 * path. With one partition it gives the single-JVM trainer's bits.
 */
public final class SparkTrainer {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SparkTrainer.class);
    private final TrainingConfig config;
    private final StepTransport transport;
    private final CheckpointPolicy checkpoints;
    private final EpochReport.Listener listener;
    private final Divergence divergence;
    private final int streamWindow;

    /** A trainer for {@code config} that runs one Spark job per step. */
    public SparkTrainer(TrainingConfig config, CheckpointPolicy checkpoints, EpochReport.Listener listener) {
        this(config, StepTransport.JOB, checkpoints, listener);
    }

    /** A trainer for {@code config} whose steps travel by {@code transport}. */
    public SparkTrainer(TrainingConfig config, StepTransport transport, CheckpointPolicy checkpoints,
                        EpochReport.Listener listener) {
        this(config, transport, checkpoints, listener, Divergence.STOP, 0);
    }

    private SparkTrainer(TrainingConfig config, StepTransport transport, CheckpointPolicy checkpoints,
                         EpochReport.Listener listener, Divergence divergence, int streamWindow) {
        this.config = config;
        this.transport = transport;
        this.checkpoints = checkpoints;
        this.listener = listener;
        this.divergence = divergence;
        this.streamWindow = streamWindow;
    }

    /** The same trainer with {@code d} for steps whose loss or gradient is not finite (default STOP). */
    public SparkTrainer withDivergence(Divergence d) {
        return new SparkTrainer(config, transport, checkpoints, listener, d, streamWindow);
    }

    /**
     * The same trainer reading the training data as streams instead of caching it: each epoch every task
     * reads its shards front to back, holding {@code window} rows of each at a time and shuffling within
     * them (barrier mode only: its long-lived tasks read on from step to step). For data larger than the
     * executors' memory. The rows of each shard are counted in one pass first, unless the source knows them
     * (generated data). The validation data is still cached.
     */
    public SparkTrainer streaming(int window) {
        Checks.atLeast("the shuffle window of streamed training data", window, 1);
        transport.mode().requireStreams();
        return new SparkTrainer(config, transport, checkpoints, listener, divergence, window);
    }

    /** Trains from scratch; {@code validation} may be null (then the configured validation split is used). */
    public TrainingResult fit(ShardedDataset train, ShardedDataset validation) {
        return run(train, validation, null);
    }

    /**
     * Continues the run saved at {@code checkpoint}: a checkpoint directory, or a root holding several, of
     * which the newest complete one is taken (newer incomplete ones are passed over, and said so).
     */
    public TrainingResult resume(ShardedDataset train, ShardedDataset validation, String checkpoint) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(train.blocks().context());
        Checkpoints.Found found;
        try {
            found = Checkpoints.latest(HadoopStateStore.at(jsc.hadoopConfiguration(), new Path(checkpoint)));
        } catch (IOException e) {
            throw new UncheckedIOException("resume: cannot read checkpoint " + checkpoint, e);
        }
        for (String s : found.skipped()) {
            LOG.warn("resume: passed over incomplete checkpoint {}", s);
        }
        if (!found.skipped().isEmpty()) {
            LOG.warn("resume: continuing from {}", found.where());
        }
        return run(train, validation, found);
    }

    /**
     * Arrays of the network's size the driver holds at once besides the optimiser's state: the master weights,
     * the summed gradient, the weights published and the gradient received as frames, and a copy for the best
     * epoch or a checkpoint. A lower bound: in local mode the tasks' own copies share the heap too.
     */
    static final int DRIVER_ARRAYS = 5;

    /**
     * Refuses, in one line, a network the driver cannot hold: more weights than a step's frame carries, or
     * arrays of weights, optimiser state and step buffers larger than this JVM's heap. Call it before data is
     * read or cached; {@link #fit} and {@link #resume} check again.
     */
    public static void requireDriverFits(TrainingConfig config) {
        long parameters = config.spec().parameterCount();
        // Weights and gradients travel as one array per step: 4 bytes a weight within one 2 GiB frame (the
        // parameter server's, and Kryo's largest buffer in job mode).
        Checks.checkArgument(parameters <= io.dendrite.ps.ParameterServer.MAX_PARAMETERS,
                "the network has %s parameters but a training step carries at most %s (4 bytes each in one 2 GiB "
                        + "frame); use fewer or smaller layers", parameters, io.dendrite.ps.ParameterServer.MAX_PARAMETERS);
        io.dendrite.core.optim.Optimizer probe = config.optimizer().copy();
        probe.initialize(1);
        int state = probe.state().size();
        long need = parameters * 4L * (DRIVER_ARRAYS + state);
        long heap = Runtime.getRuntime().maxMemory();
        Checks.checkArgument(need <= heap, "the network has %s parameters: the driver holds at least %s arrays of them "
                + "(the weights, %s state arrays of %s, the summed gradient and the step's buffers), %s MiB, but its heap "
                + "is at most %s MiB; use fewer or smaller layers, or give the driver more memory (--driver-memory)",
                parameters, DRIVER_ARRAYS + state, state, config.optimizer().id(), need >> 20, heap >> 20);
    }

    /**
     * Refuses at once, before any data is read, a barrier or elastic run while another such run holds
     * {@code sc}'s slots ({@link LongLivedRuns}); the exchange claims the slots when it opens.
     */
    public static void refuseIfSlotsHeld(org.apache.spark.SparkContext sc, StepTransport transport) {
        if (transport.mode() != StepTransport.Mode.JOB) {
            LongLivedRuns.refuseIfHeld(sc, "this " + transport.mode().name().toLowerCase(java.util.Locale.ROOT)
                    + "-mode run");
        }
    }

    private TrainingResult run(ShardedDataset trainData, ShardedDataset validationData, Checkpoints.Found from) {
        requireDriverFits(config);
        ShardedDataset train = trainData;
        ShardedDataset validation = validationData;
        if (validation == null && config.validationSplit() > 0) {
            ShardedDataset[] parts = train.split(new double[] {1 - config.validationSplit(), config.validationSplit()},
                    Streams.validationSplit(config.seed()));
            train = parts[0];
            validation = parts[1];
        }
        Checks.checkArgument(validation != null || !config.needsValidation(),
                "a callback monitors a val_ metric but there is no validation data; set a validation split or set");
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(train.blocks().context());
        // Listening from before the data is first cached: where each shard's task runs then is where it stays.
        CachePlacement placement = new CachePlacement(jsc, train.blocks());
        jsc.sc().addSparkListener(placement);
        try {
            return run(jsc, train, validation, from, placement);
        } finally {
            jsc.sc().removeSparkListener(placement);
        }
    }

    private TrainingResult run(JavaSparkContext jsc, ShardedDataset train, ShardedDataset validation,
                               Checkpoints.Found from, CachePlacement placement) {
        DataFingerprint data = prepare("training data", train, streamWindow > 0);
        if (validation != null) {
            prepare("validation data", validation, false);
        }
        long total = data.totalRows();
        Checks.checkArgument(total > 0, "training data %s holds no rows", train.source());
        Kernel kernel = Kernels.get();
        StateStore root;
        try {
            root = checkpoints.root() == null ? null
                    : HadoopStateStore.at(jsc.hadoopConfiguration(), new Path(checkpoints.root()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the checkpoint directory " + checkpoints.root(), e);
        }
        // A streamed run's window decides its order, so a resume must keep it.
        Map<String, String> reading = streamWindow > 0 ? Map.of("data.shuffle_window", String.valueOf(streamWindow))
                : Map.of();
        Run run = from == null ? Run.start(config, reading, data, checkpoints, root, divergence, kernel)
                : Run.resume(config, reading, data, checkpoints, root, divergence, kernel, from);
        Checkpoint saved = run.resumedFrom();
        FeatureScaler scaler = saved == null ? train.fitScaler(config.scaling(), config.scalingDivisor()) : saved.scaler();
        MasterWeights weights = saved == null ? MasterWeights.start(config, kernel)
                : MasterWeights.resume(config, kernel, saved.weights(), saved.iterations(), saved.optimizerState());

        long[] partitionRows = data.rows();
        long stepsPerEpoch = BatchPlan.stepsPerEpoch(total, config.batchSize());
        PartitionShare share = new PartitionShare(config.spec(), config.loss(), scaler, config.seed(),
                config.batchSize(), partitionRows, total);
        TrainingLoop.Validation validate = validation == null ? null : w -> validate(jsc, validation, w, scaler);
        Map<String, Object> stepSummary = new LinkedHashMap<>();
        stepSummary.put("partitions", partitionRows.length);
        stepSummary.put("step_mode", transport.mode().id());
        TrainingLoop.Outcome outcome;
        try (Steps steps = switch (transport.mode()) {
            case BARRIER -> BarrierExchange.open(jsc, train.blocks(), share, transport, placement,
                    streamWindow > 0 ? new ShardGroupRDD.Streamed(partitionRows, streamWindow) : null);
            case ELASTIC -> ElasticExchange.open(jsc, train.blocks(), share, transport, placement);
            case JOB -> new JobExchange(jsc, train.blocks(), share, placement);
        }) {
            stepSummary.put("step_traffic", steps.traffic());
            outcome = TrainingLoop.run(run, weights, steps, stepsPerEpoch, scaler, validate, listener);
            steps.describe(stepSummary);
        }
        float[] finalWeights = run.finalWeights(weights.weights(), weights.step());
        Map<String, Object> summary = run.summary("spark", weights.optimizer(), total);
        summary.putAll(stepSummary);
        summary.put("master", jsc.master());
        if (streamWindow > 0) {
            summary.put("streamed", Map.of("shuffle_window", streamWindow));
        }
        Model model = new Model(config.spec(), config.loss(), finalWeights, scaler, config.labels(), summary);
        return new TrainingResult(model, run.state().history(), outcome.epochs(), partitionRows.length, kernel.name(),
                outcome.examplesPerSecond(), outcome.seconds());
    }

    private LossStats validate(JavaSparkContext jsc, ShardedDataset validation, float[] weights, FeatureScaler scaler) {
        Broadcast<float[]> published = jsc.broadcast(weights.clone());
        try {
            return EvaluationTask.run(validation.blocks(),
                    new EvaluationTask(published, config.spec(), config.loss(), scaler));
        } finally {
            published.destroy(false);
        }
    }

    /**
     * Caches the data if it is not (unless it is to be streamed), checks every block's width and targets
     * on the executors, and returns the rows in each partition with the hash of its first and last block
     * (one pass). Streamed generated data, whose rows are known, is not read here at all.
     */
    private DataFingerprint prepare(String what, ShardedDataset data, boolean stream) {
        Checks.checkArgument(data.featureWidth() == config.spec().inputWidth(),
                "%s (%s) has %s features but the network expects %s", what, data.source(), data.featureWidth(),
                config.spec().inputWidth());
        if (stream && data.knownRows() != null) {
            return DataFingerprint.ofGenerated(data.knownRows(), data.source());
        }
        if (!stream && data.blocks().getStorageLevel().equals(StorageLevel.NONE())) {
            data.blocks().persist(StorageLevel.MEMORY_ONLY());
        }
        Loss loss = config.loss();
        int outputs = config.spec().outputWidth();
        String source = data.source();
        // A bad target fails the run with its message; the task hands it back rather than throwing, so Spark
        // does not retry a deterministic input error.
        List<scala.Tuple2<long[], String>> parts = data.blocks().mapPartitionsWithIndex((p, it) -> {
            long n = 0;
            long first = 0;
            long last = 0;
            while (it.hasNext()) {
                ExampleBlock b = it.next();
                if (b.failure() != null) {
                    return List.of(new scala.Tuple2<>(new long[0], b.failure())).iterator();
                }
                try {
                    loss.checkTargets(b.targets(), b.rows(), b.targetWidth(), outputs);
                } catch (IllegalArgumentException e) {
                    return List.of(new scala.Tuple2<>(new long[0], what + " " + source + ", partition " + p
                            + ", block at partition row " + n + ": " + e.getMessage())).iterator();
                }
                last = DataFingerprint.hash(b.featuresAsFloat(), b.featureWidth(), b.targets(), b.targetWidth(), b.rows());
                if (n == 0) {
                    first = last;
                }
                n += b.rows();
            }
            return List.of(new scala.Tuple2<>(new long[] {n, first, last}, (String) null)).iterator();
        }, true).collect();
        for (scala.Tuple2<long[], String> part : parts) {
            if (part._2() != null) {
                throw new IllegalArgumentException(part._2());
            }
        }
        long[] rows = new long[parts.size()];
        long[] first = new long[rows.length];
        long[] last = new long[rows.length];
        for (int p = 0; p < rows.length; p++) {
            rows[p] = parts.get(p)._1()[0];
            first[p] = parts.get(p)._1()[1];
            last[p] = parts.get(p)._1()[2];
        }
        return new DataFingerprint(rows, first, last);
    }
}
