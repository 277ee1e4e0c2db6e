package io.dendrite.core.train;

import io.dendrite.core.data.Dataset;
import io.dendrite.core.data.FeatureScaler;
import io.dendrite.core.kernel.Kernel;
import io.dendrite.core.kernel.Kernels;
import io.dendrite.core.loss.LossStats;
import io.dendrite.core.model.Model;
import io.dendrite.core.model.StateStore;
import io.dendrite.core.nn.Network;
import io.dendrite.core.nn.Workspace;
import io.dendrite.core.run.BatchPlan;
import io.dendrite.core.run.Checkpoint;
import io.dendrite.core.run.CheckpointPolicy;
import io.dendrite.core.run.Checkpoints;
import io.dendrite.core.run.DataFingerprint;
import io.dendrite.core.run.Divergence;
import io.dendrite.core.run.EpochReport;
import io.dendrite.core.run.MasterWeights;
import io.dendrite.core.run.ProgressListener;
import io.dendrite.core.run.Run;
import io.dendrite.core.run.Streams;
import io.dendrite.core.run.TrainingConfig;
import io.dendrite.core.run.TrainingLoop;
import io.dendrite.core.step.GradientAccumulator;
import io.dendrite.core.step.StepBytes;
import io.dendrite.core.step.Steps;
import io.dendrite.core.util.Checks;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Trains a network in one JVM by mini-batch gradient descent: a batch of the whole set is batch
 * gradient descent, a batch of one is plain SGD. Reusable configuration: each {@link #fit} derives its
 * random streams from the seed and copies the optimiser, so two fits never share state and the same
 * seed gives bit-identical weights. Batches follow {@link BatchPlan} with the data as one partition.
 * The run — its state, checkpoints, resume and divergence handling — is the same {@link Run} the
 * distributed trainer drives, so a checkpoint taken here resumes bit for bit. Built by {@link Sequential}.
 */
public final class Trainer {
    private final TrainingConfig config;
    private final ProgressListener progress;
    private final CheckpointPolicy checkpoints;
    private final Divergence divergence;

    /** A trainer for {@code config} reporting each epoch to {@code progress}, without checkpoints. */
    public Trainer(TrainingConfig config, ProgressListener progress) {
        this(config, progress, CheckpointPolicy.NONE, Divergence.STOP);
    }

    private Trainer(TrainingConfig config, ProgressListener progress, CheckpointPolicy checkpoints,
                    Divergence divergence) {
        this.config = config;
        this.progress = progress;
        this.checkpoints = checkpoints;
        this.divergence = divergence;
        new Network(config.spec(), config.loss(), Kernels.get()); // fail now on a loss that does not suit the output
    }

    /** The same trainer checkpointing under a local directory as {@code policy} says. */
    public Trainer withCheckpoints(CheckpointPolicy policy) {
        return new Trainer(config, progress, policy, divergence);
    }

    /** The same trainer with {@code d} for steps whose loss or gradient is not finite (default STOP). */
    public Trainer withDivergence(Divergence d) {
        return new Trainer(config, progress, checkpoints, d);
    }

    /** The configuration. */
    public TrainingConfig config() {
        return config;
    }

    /** Trains on {@code data}, holding out {@link Sequential#validationSplit} of it for validation if set. */
    public Model fit(Dataset data) {
        Dataset[] parts = validationSplit(data);
        return fit(parts[0], parts[1]);
    }

    /** Trains on {@code train}, reporting {@code val_} metrics on {@code validation} (may be null) each epoch. */
    public Model fit(Dataset train, Dataset validation) {
        return fitPartitioned(train, validation, new long[] {train.rows()});
    }

    /**
     * Continues the run checkpointed at {@code checkpoint} (a checkpoint directory, or a root holding
     * several, of which the newest complete one is taken) on the same {@code data}, split as {@link #fit(Dataset)}
     * splits it.
     */
    public Model resume(Dataset data, String checkpoint) {
        Dataset[] parts = validationSplit(data);
        return resume(parts[0], parts[1], checkpoint);
    }

    /** Continues the run checkpointed at {@code checkpoint} on the same training and validation data. */
    public Model resume(Dataset train, Dataset validation, String checkpoint) {
        try {
            return run(train, validation, new long[] {train.rows()},
                    Checkpoints.latest(StateStore.local(java.nio.file.Path.of(checkpoint))));
        } catch (IOException e) {
            throw new UncheckedIOException("resume: cannot read checkpoint " + checkpoint, e);
        }
    }

    /**
     * Trains as the distributed trainer does on data held in consecutive partitions of
     * {@code partitionRows} rows: each step takes every partition's share of the batch ({@link BatchPlan})
     * and computes the gradient of their concatenation in one pass. Only the order of float summation
     * differs from the distributed run, which is what the equivalence tests compare against. With one
     * partition this is {@link #fit(Dataset, Dataset)}.
     */
    public Model fitPartitioned(Dataset train, Dataset validation, long[] partitionRows) {
        return run(train, validation, partitionRows, null);
    }

    private Dataset[] validationSplit(Dataset data) {
        return config.validationSplit() > 0 ? data.split(config.validationSplit(), Streams.validationSplit(config.seed()))
                : new Dataset[] {data, null};
    }

    private Model run(Dataset train, Dataset validation, long[] partitionRows, Checkpoints.Found from) {
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
        int partitions = partitionRows.length;
        int[] firstRow = new int[partitions];
        for (int p = 1; p < partitions; p++) {
            firstRow[p] = firstRow[p - 1] + (int) partitionRows[p - 1];
        }
        DataFingerprint data = fingerprint(train, partitionRows, firstRow);
        StateStore root = checkpoints.root() == null ? null : StateStore.local(java.nio.file.Path.of(checkpoints.root()));
        Run run = from == null ? Run.start(config, data, checkpoints, root, divergence, kernel)
                : Run.resume(config, data, checkpoints, root, divergence, kernel, from);
        Checkpoint saved = run.resumedFrom();
        Network network = new Network(config.spec(), config.loss(), kernel);
        FeatureScaler scaler = saved == null ? config.fitScaler(train) : saved.scaler();
        Dataset x = train.scaled(scaler);
        Dataset val = validation == null ? null : validation.scaled(scaler);
        MasterWeights weights = saved == null ? MasterWeights.start(config, kernel)
                : MasterWeights.resume(config, kernel, saved.weights(), saved.iterations(), saved.optimizerState());
        long steps = BatchPlan.stepsPerEpoch(x.rows(), config.batchSize());
        Workspace ws = network.newWorkspace();
        TrainingLoop.Validation validate = val == null ? null : w -> network.evaluate(w, val.features(), 0,
                val.targets(), 0, x.targetWidth(), val.rows(), ws);
        EpochReport.Listener listener = r -> progress.onEpochEnd(r.epoch(), r.epochs(), r.logs(), r.seconds(),
                r.examplesPerSecond());
        try (Steps inProcess = new InProcessSteps(network, ws, x, partitionRows, firstRow)) {
            TrainingLoop.run(run, weights, inProcess, steps, scaler, validate, listener);
        }
        float[] finalWeights = run.finalWeights(weights.weights(), weights.step());
        return new Model(config.spec(), config.loss(), finalWeights, scaler, config.labels(),
                run.summary("single-jvm", weights.optimizer(), train.rows()));
    }

    /**
     * The steps computed in this thread: each step gathers every partition's share of the batch
     * ({@link BatchPlan}) into one and computes the gradient of their concatenation in one pass, a tree of one
     * node.
     */
    private final class InProcessSteps implements Steps {
        private final Network network;
        private final Workspace ws;
        private final Dataset x;
        private final long[] partitionRows;
        private final int[] firstRow;
        private final float[] xb;
        private final float[] yb;
        private final float[] grad;
        private final int[][] orders;

        InProcessSteps(Network network, Workspace ws, Dataset x, long[] partitionRows, int[] firstRow) {
            this.network = network;
            this.ws = ws;
            this.x = x;
            this.partitionRows = partitionRows;
            this.firstRow = firstRow;
            int b = Math.min(config.batchSize() + partitionRows.length, x.rows()); // shares round to within one row each
            this.xb = new float[b * x.featureWidth()];
            this.yb = new float[b * x.targetWidth()];
            this.grad = new float[config.spec().parameterCount()];
            this.orders = new int[partitionRows.length][];
        }

        @Override
        public String traffic() {
            return "in-process";
        }

        @Override
        public void beginEpoch(int epoch) {
            for (int p = 0; p < partitionRows.length; p++) {
                orders[p] = BatchPlan.order((int) partitionRows[p], config.seed(), epoch, p);
            }
        }

        @Override
        public Result step(int epoch, long stepInEpoch, long step, float[] weights) {
            long started = System.nanoTime();
            int fw = x.featureWidth();
            int tw = x.targetWidth();
            int m = 0;
            for (int p = 0; p < partitionRows.length; p++) {
                long[] range = BatchPlan.range(partitionRows[p], x.rows(), config.batchSize(), stepInEpoch);
                for (long i = range[0]; i < range[1]; i++, m++) {
                    int r = firstRow[p] + orders[p][(int) i];
                    System.arraycopy(x.features(), r * fw, xb, m * fw, fw);
                    System.arraycopy(x.targets(), r * tw, yb, m * tw, tw);
                }
            }
            java.util.Arrays.fill(grad, 0f);
            LossStats stats = network.accumulateGradient(weights, xb, 0, yb, 0, tw, m, grad, ws,
                    Streams.dropout(config.seed(), step, 0));
            long computed = System.nanoTime() - started;
            return new Result(GradientAccumulator.ofPartition(1, 0, grad, stats, computed), 0, computed,
                    StepBytes.NONE);
        }

        @Override
        public void endEpoch() {
        }

        @Override
        public void close() {
        }
    }

    /** Each partition's rows and the hash of its rows as one block (the raw data, before scaling). */
    private static DataFingerprint fingerprint(Dataset d, long[] partitionRows, int[] firstRow) {
        int p = partitionRows.length;
        long[] hashes = new long[p];
        int fw = d.featureWidth();
        int tw = d.targetWidth();
        for (int i = 0; i < p; i++) {
            int rows = (int) partitionRows[i];
            hashes[i] = DataFingerprint.hash(java.util.Arrays.copyOfRange(d.features(), firstRow[i] * fw,
                    (firstRow[i] + rows) * fw), fw, java.util.Arrays.copyOfRange(d.targets(), firstRow[i] * tw,
                    (firstRow[i] + rows) * tw), tw, rows);
        }
        return new DataFingerprint(partitionRows, hashes, hashes);
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
}
