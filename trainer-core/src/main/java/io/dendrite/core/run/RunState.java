package io.dendrite.core.run;

import io.dendrite.core.loss.LossStats;
import io.dendrite.core.optim.UpdateRule;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a training run stands, apart from its weights and optimiser: the cursor (epoch and step within
 * it), the statistics and penalty of the epoch in progress, the last learning rate, the steps skipped
 * for divergence, the history of finished epochs and the callbacks' state. Both trainers drive one
 * through the same calls — {@link #stepApplied} or {@link #stepSkipped} per step, {@link #epochLogs}
 * then {@link #endEpoch} per epoch — and a checkpoint holds its {@link #snapshot()}, which
 * {@link #restore} turns back into the same state, so a resumed run continues bit for bit.
 */
public final class RunState {
    private final boolean classification;
    private final EpochCallbacks callbacks;
    private final History history = new History();
    private int epoch;
    private long stepInEpoch;
    private LossStats epochStats = LossStats.EMPTY;
    private double epochPenalty;
    private float lastRate;
    private long skippedSteps;

    /** The state of a run of {@code config} before its first step. */
    public RunState(TrainingConfig config) {
        this.classification = config.loss().isClassification();
        this.callbacks = new EpochCallbacks(config.earlyStopping(), config.plateau());
    }

    /** The epoch in progress (0-based). */
    public int epoch() {
        return epoch;
    }

    /** The next step of the epoch in progress (0-based). */
    public long stepInEpoch() {
        return stepInEpoch;
    }

    /** Steps skipped because their loss or gradient was not finite. */
    public long skippedSteps() {
        return skippedSteps;
    }

    /** The finished epochs' metrics. */
    public History history() {
        return history;
    }

    /** The factor reduce-on-plateau applies to the scheduled rate (1 without it). */
    public float rateMultiplier() {
        return callbacks.rateMultiplier();
    }

    /** The weights of the best epoch when early stopping restores them, else null. */
    public float[] bestWeights() {
        return callbacks.bestWeights();
    }

    /** The best epoch (0-based) early stopping has seen, or -1. */
    public int bestEpoch() {
        return callbacks.bestEpoch();
    }

    /** Records a step whose update was applied: its training statistics, penalty and rate. */
    public void stepApplied(LossStats stats, UpdateRule.Applied applied) {
        epochStats = epochStats.plus(stats);
        epochPenalty += stats.count() * applied.penalty();
        lastRate = applied.learningRate();
        stepInEpoch++;
    }

    /** Records a step that was skipped: the weights were left as they were. */
    public void stepSkipped() {
        skippedSteps++;
        stepInEpoch++;
    }

    /**
     * The training metrics of the epoch in progress: mean loss including the penalty, accuracy for
     * classifiers, and the last rate; {@link #addValidation} puts the validation metrics before the rate.
     */
    public Map<String, Double> epochLogs() {
        Map<String, Double> logs = new LinkedHashMap<>();
        logs.put("loss", (epochStats.lossSum() + epochPenalty) / epochStats.count());
        if (classification) {
            logs.put("accuracy", epochStats.accuracy());
        }
        logs.put("lr", (double) lastRate);
        return logs;
    }

    /** Adds {@code val_loss} (and {@code val_accuracy}) of {@code v} before the rate in {@code logs}. */
    public void addValidation(Map<String, Double> logs, LossStats v) {
        Double lr = logs.remove("lr");
        logs.put("val_loss", v.meanLoss());
        if (classification) {
            logs.put("val_accuracy", v.accuracy());
        }
        logs.put("lr", lr);
    }

    /**
     * Ends the epoch in progress with its final {@code logs}: records them, lets the callbacks observe
     * them ({@code scheduledRate} is the schedule's rate of the next step, {@code weights} the weights now)
     * and moves the cursor to the next epoch. Returns true when a callback stops training.
     */
    public boolean endEpoch(Map<String, Double> logs, float scheduledRate, float[] weights) {
        history.add(logs);
        boolean stop = callbacks.onEpochEnd(epoch, logs, scheduledRate, weights);
        epoch++;
        stepInEpoch = 0;
        epochStats = LossStats.EMPTY;
        epochPenalty = 0;
        return stop;
    }

    /** A copy of the state, for a checkpoint. */
    public Snapshot snapshot() {
        EpochCallbacks.State cb = callbacks.state();
        List<Map<String, Double>> epochs = new ArrayList<>();
        for (int i = 0; i < history.epochs(); i++) {
            epochs.add(history.epoch(i));
        }
        return new Snapshot(epoch, stepInEpoch, epochStats, epochPenalty, lastRate, skippedSteps,
                new EpochCallbacks.State(cb.stopBest(), cb.stopBestEpoch(), cb.stopWait(), cb.plateauBest(),
                        cb.plateauBad(), cb.plateauCooldown(), cb.plateauMultiplier(),
                        cb.bestWeights() == null ? null : cb.bestWeights().clone()), epochs);
    }

    /** Puts this fresh state where {@code s} was taken (from a run of the same configuration). */
    public void restore(Snapshot s) {
        if (history.epochs() > 0 || epoch > 0 || stepInEpoch > 0) {
            throw new IllegalStateException("restore needs a fresh run state");
        }
        epoch = s.epoch();
        stepInEpoch = s.stepInEpoch();
        epochStats = s.epochStats();
        epochPenalty = s.epochPenalty();
        lastRate = s.lastRate();
        skippedSteps = s.skippedSteps();
        callbacks.restore(s.callbacks());
        s.history().forEach(history::add);
    }

    /**
     * The state of a run between two steps.
     *
     * @param epoch the epoch in progress (0-based)
     * @param stepInEpoch the next step of that epoch to run
     * @param epochStats the training statistics of the steps of this epoch already run
     * @param epochPenalty the summed norm penalty of those steps
     * @param lastRate the learning rate of the last step run
     * @param skippedSteps steps skipped for divergence so far
     */
    public record Snapshot(int epoch, long stepInEpoch, LossStats epochStats, double epochPenalty, float lastRate,
                           long skippedSteps, EpochCallbacks.State callbacks, List<Map<String, Double>> history) {
        /** Copies the history. */
        public Snapshot {
            history = List.copyOf(history);
        }
    }
}
