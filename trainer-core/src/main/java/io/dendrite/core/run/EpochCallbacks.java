package io.dendrite.core.run;

import java.util.Map;

/**
 * The between-epoch callbacks of one fit: early stopping (with the best weights kept when asked) and
 * reduce-on-plateau. Their state can be saved and restored, so a resumed run decides exactly as the
 * uninterrupted one would.
 */
public final class EpochCallbacks {
    private final EarlyStopping earlyStopping;
    private final EarlyStopping.Tracker stopper;
    private final ReduceLrOnPlateau.Tracker reducer;
    private float[] bestWeights;

    /** Callbacks for one fit; either configuration may be null. */
    public EpochCallbacks(EarlyStopping earlyStopping, ReduceLrOnPlateau plateau) {
        this.earlyStopping = earlyStopping;
        this.stopper = earlyStopping == null ? null : new EarlyStopping.Tracker(earlyStopping);
        this.reducer = plateau == null ? null : new ReduceLrOnPlateau.Tracker(plateau);
    }

    /** True when a callback watches a {@code val_} metric, so the fit needs validation data. */
    public static boolean needValidation(EarlyStopping earlyStopping, ReduceLrOnPlateau plateau) {
        return (earlyStopping != null && earlyStopping.monitor().startsWith("val_"))
                || (plateau != null && plateau.monitor().startsWith("val_"));
    }

    /** The factor reduce-on-plateau currently applies to the scheduled rate (1 without it). */
    public float rateMultiplier() {
        return reducer == null ? 1f : reducer.multiplier();
    }

    /**
     * Observes epoch {@code epoch} (0-based) whose metrics are {@code logs}; {@code scheduledRate} is the
     * schedule's rate for the next step and {@code params} the weights after the epoch. Returns true when
     * training should stop.
     */
    public boolean onEpochEnd(int epoch, Map<String, Double> logs, float scheduledRate, float[] params) {
        if (reducer != null) {
            reducer.observe(logs, scheduledRate);
        }
        if (stopper == null) {
            return false;
        }
        if (stopper.observe(epoch, logs) && earlyStopping.restoreBestWeights()) {
            bestWeights = params.clone();
        }
        return stopper.shouldStop();
    }

    /** The weights of the best epoch when early stopping restores them, else null. */
    public float[] bestWeights() {
        return bestWeights;
    }

    /** The best epoch (0-based) early stopping has seen, or -1. */
    public int bestEpoch() {
        return stopper == null ? -1 : stopper.bestEpoch();
    }

    /** A snapshot for checkpoints (the best weights are shared, not copied). */
    public State state() {
        return new State(stopper == null ? Double.NaN : stopper.best(), bestEpoch(),
                stopper == null ? 0 : stopper.waited(), reducer == null ? Double.NaN : reducer.best(),
                reducer == null ? 0 : reducer.bad(), reducer == null ? 0 : reducer.cooldownLeft(), rateMultiplier(),
                bestWeights);
    }

    /** Restores a snapshot taken from a fit with the same configuration. */
    public void restore(State s) {
        if (stopper != null) {
            stopper.restore(s.stopBest(), s.stopBestEpoch(), s.stopWait());
        }
        if (reducer != null) {
            reducer.restore(s.plateauBest(), s.plateauBad(), s.plateauCooldown(), s.plateauMultiplier());
        }
        bestWeights = s.bestWeights() == null ? null : s.bestWeights().clone();
    }

    /** The callbacks' state between epochs. */
    public record State(double stopBest, int stopBestEpoch, int stopWait, double plateauBest, int plateauBad,
                        int plateauCooldown, float plateauMultiplier, float[] bestWeights) {
    }
}
