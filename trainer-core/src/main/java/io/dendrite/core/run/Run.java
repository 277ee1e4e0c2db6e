package io.dendrite.core.run;

import io.dendrite.core.data.FeatureScaler;
import io.dendrite.core.kernel.Kernel;
import io.dendrite.core.loss.LossStats;
import io.dendrite.core.model.StateStore;
import io.dendrite.core.optim.Optimizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * One training run as both trainers drive it: its identity, settings and data fingerprint, its
 * {@link RunState}, its checkpoints and what it does on divergence. A run starts fresh ({@link #start})
 * or from a checkpoint ({@link #resume}), which must have been written with the same settings over the
 * same data; either way it never writes among another run's checkpoints, nor writes a checkpoint or
 * model holding non-finite values.
 */
public final class Run {
    private final TrainingConfig config;
    private final String id;
    private final DataFingerprint data;
    private final CheckpointPolicy policy;
    private final StateStore root;
    private final Divergence divergence;
    private final Kernel kernel;
    private final RunState state;
    private final Checkpoint resumedFrom;
    private String lastCheckpoint;
    private final Map<String, String> settings;

    private Run(TrainingConfig config, Map<String, String> settings, String id, DataFingerprint data,
                CheckpointPolicy policy, StateStore root, Divergence divergence, Kernel kernel, Checkpoint resumedFrom,
                String where) throws IOException {
        this.config = config;
        this.settings = settings;
        this.id = id;
        this.data = data;
        this.policy = policy;
        this.root = root;
        this.divergence = divergence;
        this.kernel = kernel;
        this.state = new RunState(config);
        this.resumedFrom = resumedFrom;
        this.lastCheckpoint = where;
        if (resumedFrom != null) {
            state.restore(resumedFrom.run());
        }
        if (root != null) {
            Checkpoints.requireOwnRoot(root, resumedFrom == null ? null : id, where);
        }
    }

    /** A new run of {@code config} over {@code data}; {@code root} is the policy's root as a store, or null. */
    public static Run start(TrainingConfig config, DataFingerprint data, CheckpointPolicy policy, StateStore root,
                            Divergence divergence, Kernel kernel) {
        return start(config, Map.of(), data, policy, root, divergence, kernel);
    }

    /**
     * A new run as {@link #start(TrainingConfig, DataFingerprint, CheckpointPolicy, StateStore, Divergence,
     * Kernel)}, whose data is read in a way that changes the arithmetic too ({@code readSettings}, e.g. a
     * streamed run's shuffle window): kept in its checkpoints and compared on resume like the other settings.
     */
    public static Run start(TrainingConfig config, Map<String, String> readSettings, DataFingerprint data,
                            CheckpointPolicy policy, StateStore root, Divergence divergence, Kernel kernel) {
        try {
            return new Run(config, settings(config, readSettings), UUID.randomUUID().toString(), data, policy, root,
                    divergence, kernel, null, null);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the checkpoint directory " + policy.root(), e);
        }
    }

    /**
     * The run saved in {@code found}, continued under {@code config} over {@code data}: refused naming both
     * values when a setting that changes the arithmetic or the data differs.
     */
    public static Run resume(TrainingConfig config, DataFingerprint data, CheckpointPolicy policy, StateStore root,
                             Divergence divergence, Kernel kernel, Checkpoints.Found found) {
        return resume(config, Map.of(), data, policy, root, divergence, kernel, found);
    }

    /** A resume whose data is read with {@code readSettings}, which must be those the run was saved with. */
    public static Run resume(TrainingConfig config, Map<String, String> readSettings, DataFingerprint data,
                             CheckpointPolicy policy, StateStore root, Divergence divergence, Kernel kernel,
                             Checkpoints.Found found) {
        Checkpoint c = found.checkpoint();
        Map<String, String> settings = settings(config, readSettings);
        RunSettings.requireSame(c.settings(), settings, found.where());
        data.requireSameAs(c.data(), found.where());
        int expected = config.spec().parameterCount();
        if (c.weights().length != expected) {
            throw new IllegalArgumentException("resume: the checkpoint " + found.where() + " holds " + c.weights().length
                    + " weights but the network has " + expected);
        }
        try {
            return new Run(config, settings, c.runId(), data, policy, root, divergence, kernel, c, found.where());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the checkpoint directory " + policy.root(), e);
        }
    }

    /** The run's id, kept across resumes. */
    public String id() {
        return id;
    }

    /** The configuration the run trains with. */
    public TrainingConfig config() {
        return config;
    }

    /** The run's state. */
    public RunState state() {
        return state;
    }

    /** The checkpoint this run continues, or null for a fresh run. */
    public Checkpoint resumedFrom() {
        return resumedFrom;
    }

    /** The data the run trains on. */
    public DataFingerprint data() {
        return data;
    }

    /**
     * Decides a step whose merged loss sum is {@code lossSum} and gradient {@code gradient}: true to
     * apply it; false when it is not finite and divergence is {@link Divergence#SKIP} (the step is counted
     * as skipped); a {@link TrainingDivergedException} when it is not finite and divergence stops.
     */
    public boolean admit(double lossSum, float[] gradient, long stepsPerEpoch, long optimizerStep) {
        // A non-finite value makes the sum of squares non-finite (as does a gradient past 1e19, diverged anyway).
        if (Double.isFinite(lossSum) && Double.isFinite(kernel.sumOfSquares(gradient.length, gradient, 0))) {
            return true;
        }
        if (divergence == Divergence.SKIP) {
            state.stepSkipped();
            return false;
        }
        String what = Double.isFinite(lossSum) ? "the gradient" : "the loss (" + lossSum + ")";
        throw new TrainingDivergedException("training diverged at step " + (optimizerStep + 1) + " (epoch "
                + (state.epoch() + 1) + ", batch " + (state.stepInEpoch() + 1) + " of " + stepsPerEpoch + "): " + what
                + " is not finite; the update was not applied. Last good checkpoint: " + lastCheckpointName()
                + ". Lower the learning rate or set clip_norm, or set training.on_divergence: skip");
    }

    /** Writes a checkpoint when one is due after step number {@code stepsApplied}. */
    public void afterStep(long stepsApplied, float[] weights, Optimizer optimizer, FeatureScaler scaler) {
        if (policy.afterStep(stepsApplied)) {
            save(Checkpoints.name(stepsApplied, false), weights, optimizer, scaler);
        }
    }

    /** Writes a checkpoint when one is due now that {@link RunState#endEpoch} has moved to the next epoch. */
    public void afterEpoch(float[] weights, Optimizer optimizer, FeatureScaler scaler) {
        if (policy.afterEpoch(state.epoch(), config.epochs())) {
            save(Checkpoints.name(optimizer.iterations(), true), weights, optimizer, scaler);
        }
    }

    /** The training metrics of the epoch in progress with the validation metrics {@code v} (may be null). */
    public Map<String, Double> epochLogs(LossStats validation) {
        Map<String, Double> logs = state.epochLogs();
        if (validation != null) {
            state.addValidation(logs, validation);
        }
        return logs;
    }

    /** The weights the model keeps at the end: early stopping's best, else {@code weights}; never non-finite. */
    public float[] finalWeights(float[] weights, long steps) {
        float[] w = state.bestWeights() != null ? state.bestWeights() : weights.clone();
        requireFinite(w, steps, "model");
        return w;
    }

    /** The model summary's record of this run (shared by both trainers), with what {@code trainer} adds. */
    public Map<String, Object> summary(String trainer, Optimizer opt, long examples) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("trainer", trainer);
        s.put("run_id", id);
        s.put("kernel", kernel.name());
        s.put("optimizer", opt.id());
        s.put("optimizer_config", new java.util.TreeMap<>(opt.config()));
        s.put("batch_size", config.batchSize());
        s.put("epochs_run", state.history().epochs());
        s.put("steps", opt.iterations());
        s.put("skipped_steps", state.skippedSteps());
        s.put("seed", config.seed());
        s.put("training_examples", examples);
        if (state.bestEpoch() >= 0) {
            s.put("best_epoch", state.bestEpoch() + 1);
        }
        if (state.history().epochs() > 0) {
            s.put("final", state.history().epoch(state.history().epochs() - 1));
        }
        s.put("history", state.history().asMap());
        return s;
    }

    private static Map<String, String> settings(TrainingConfig config, Map<String, String> readSettings) {
        Map<String, String> all = new LinkedHashMap<>(RunSettings.of(config));
        all.putAll(readSettings);
        return all;
    }

    private void save(String name, float[] weights, Optimizer optimizer, FeatureScaler scaler) {
        requireFinite(weights, optimizer.iterations(), "checkpoint");
        Map<String, float[]> optState = new LinkedHashMap<>();
        optimizer.state().forEach((k, v) -> optState.put(k, v.clone()));
        Checkpoint c = new Checkpoint(id, settings, data, weights.clone(), optimizer.id(),
                optimizer.iterations(), optState, state.snapshot(), scaler);
        try {
            lastCheckpoint = Checkpoints.write(root, name, c, policy.keep());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a checkpoint under " + policy.root(), e);
        }
    }

    /**
     * A finite gradient can still push weights past the float range; such weights are never written. The
     * next step's loss would not be finite either, so this only fires where a write comes first.
     */
    private void requireFinite(float[] w, long step, String what) {
        boolean finite = true;
        for (float v : w) { // each value: a sum of squares would overflow for large but finite weights
            finite &= Float.isFinite(v);
        }
        if (!finite) {
            throw new TrainingDivergedException("training diverged: the update of step " + step + " made the weights "
                    + "non-finite, so no " + what + " is written. Last good checkpoint: " + lastCheckpointName()
                    + ". Lower the learning rate or set clip_norm");
        }
    }

    private String lastCheckpointName() {
        return lastCheckpoint == null ? "none" : lastCheckpoint;
    }
}
