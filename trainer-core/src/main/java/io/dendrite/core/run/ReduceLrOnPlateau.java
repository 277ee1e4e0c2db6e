package io.dendrite.core.run;

import io.dendrite.core.util.Checks;
import java.util.Map;

/**
 * Multiplies the learning rate by {@code factor} when a monitored metric has not improved by more than
 * {@code minDelta} for more than {@code patience} epochs, then waits {@code cooldown} epochs, never
 * going below {@code minLr}. The semantics are PyTorch's {@code ReduceLROnPlateau} with
 * {@code threshold_mode='abs'}; the reduction scales whatever the step schedule gives.
 */
public record ReduceLrOnPlateau(String monitor, float factor, int patience, float minDelta, int cooldown,
                                float minLr) {

    /** Validates. */
    public ReduceLrOnPlateau {
        Checks.checkArgument(monitor != null && !monitor.isBlank(), "plateau monitor must be named");
        Checks.checkArgument(factor > 0 && factor < 1, "plateau factor must be in (0, 1) but was %s", factor);
        Checks.atLeast("plateau patience", patience, 0);
        Checks.nonNegative("plateau min_delta", minDelta);
        Checks.atLeast("plateau cooldown", cooldown, 0);
        Checks.nonNegative("plateau min_lr", minLr);
    }

    /** The state of one fit: the multiplier applied to the scheduled rate. */
    static final class Tracker {
        private final ReduceLrOnPlateau config;
        private final Monitor monitor;
        private double best;
        private int bad;
        private int cooldownLeft;
        private float multiplier = 1f;

        Tracker(ReduceLrOnPlateau config) {
            this.config = config;
            this.monitor = Monitor.auto(config.monitor(), config.minDelta());
            this.best = monitor.worst();
        }

        /** Records an epoch's metrics given the rate it ran at; may lower the multiplier. */
        void observe(Map<String, Double> logs, float baseRate) {
            double v = monitor.read(logs);
            if (monitor.improved(v, best)) {
                best = v;
                bad = 0;
            } else {
                bad++;
            }
            if (cooldownLeft > 0) {
                cooldownLeft--;
                bad = 0;
            }
            if (bad > config.patience()) {
                float current = baseRate * multiplier;
                float reduced = Math.max(current * config.factor(), config.minLr());
                if (current - reduced > 1e-8f) {
                    multiplier = reduced / baseRate;
                }
                cooldownLeft = config.cooldown();
                bad = 0;
            }
        }

        float multiplier() {
            return multiplier;
        }

        double best() {
            return best;
        }

        int bad() {
            return bad;
        }

        int cooldownLeft() {
            return cooldownLeft;
        }

        void restore(double best, int bad, int cooldownLeft, float multiplier) {
            this.best = best;
            this.bad = bad;
            this.cooldownLeft = cooldownLeft;
            this.multiplier = multiplier;
        }
    }
}
