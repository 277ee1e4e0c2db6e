package io.dendrite.core.run;

import io.dendrite.core.util.Checks;
import java.util.Map;

/**
 * Stops training when a monitored metric has not improved by more than {@code minDelta} for
 * {@code patience} epochs (Keras' {@code EarlyStopping}); with {@code restoreBestWeights} the model
 * keeps the weights of its best epoch. An immutable configuration; each fit tracks its own state.
 */
public record EarlyStopping(String monitor, float minDelta, int patience, boolean restoreBestWeights) {

    /** Validates. */
    public EarlyStopping {
        Checks.checkArgument(monitor != null && !monitor.isBlank(), "early stopping monitor must be named");
        Checks.nonNegative("early stopping min_delta", minDelta);
        Checks.atLeast("early stopping patience", patience, 0);
    }

    /** Watches {@code val_loss} with the given patience and restores the best weights. */
    public static EarlyStopping onValidationLoss(int patience) {
        return new EarlyStopping("val_loss", 0f, patience, true);
    }

    /** The state of one fit. */
    static final class Tracker {
        private final Monitor monitor;
        private final int patience;
        private double best;
        private int bestEpoch = -1;
        private int wait;

        Tracker(EarlyStopping config) {
            this.monitor = Monitor.auto(config.monitor(), config.minDelta());
            this.patience = config.patience();
            this.best = monitor.worst();
        }

        /** Records an epoch; returns true when it is the best so far. */
        boolean observe(int epoch, Map<String, Double> logs) {
            double v = monitor.read(logs);
            if (monitor.improved(v, best)) {
                best = v;
                bestEpoch = epoch;
                wait = 0;
                return true;
            }
            wait++;
            return false;
        }

        boolean shouldStop() {
            return wait >= patience && bestEpoch >= 0 && wait > 0;
        }

        int bestEpoch() {
            return bestEpoch;
        }

        double best() {
            return best;
        }

        int waited() {
            return wait;
        }

        void restore(double best, int bestEpoch, int wait) {
            this.best = best;
            this.bestEpoch = bestEpoch;
            this.wait = wait;
        }
    }
}
