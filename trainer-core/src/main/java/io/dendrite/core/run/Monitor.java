package io.dendrite.core.run;

import io.dendrite.core.util.Checks;
import java.util.Map;

/**
 * A metric watched between epochs, and which direction is better: Keras' {@code mode='auto'} makes
 * anything named like accuracy or AUC a maximum, everything else a minimum.
 */
record Monitor(String metric, boolean maximize, float minDelta) {

    Monitor {
        Checks.checkArgument(metric != null && !metric.isBlank(), "monitor metric must be named");
        Checks.nonNegative("min_delta", minDelta);
    }

    static Monitor auto(String metric, float minDelta) {
        return new Monitor(metric, metric.contains("acc") || metric.contains("auc"), minDelta);
    }

    /** True when {@code current} beats {@code best} by more than {@code minDelta}. */
    boolean improved(double current, double best) {
        return maximize ? current > best + minDelta : current < best - minDelta;
    }

    /** The worst possible value, which anything improves on. */
    double worst() {
        return maximize ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
    }

    /** The monitored value in an epoch's logs; fails naming what is there when it is absent. */
    double read(Map<String, Double> logs) {
        Double v = logs.get(metric);
        if (v == null) {
            throw new IllegalArgumentException("monitored metric '" + metric + "' is not measured; available: "
                    + logs.keySet());
        }
        return v;
    }
}
