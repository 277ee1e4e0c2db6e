package io.dendrite.core.run;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;

/** Told at the end of each epoch; the default prints one Keras-style line. */
@FunctionalInterface
public interface ProgressListener {

    /** Called after epoch {@code epoch} (1-based) of {@code epochs} with its metrics and throughput. */
    void onEpochEnd(int epoch, int epochs, Map<String, Double> logs, double seconds, double examplesPerSecond);

    /** Prints {@link #line} for each epoch to {@code out}. */
    static ProgressListener printingTo(PrintStream out) {
        return (epoch, epochs, logs, seconds, rate) -> out.println(line(epoch, epochs, logs, seconds, rate));
    }

    /**
     * The one epoch line both trainers print:
     * {@code Epoch 3/40 - 0.05s - loss: 0.1234 - accuracy: 0.9651 - val_loss: … - lr: 0.001 - 28736 ex/s}.
     */
    static String line(int epoch, int epochs, Map<String, Double> logs, double seconds, double examplesPerSecond) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "Epoch %d/%d - %.2fs", epoch, epochs, seconds));
        logs.forEach((k, v) -> sb.append(String.format(Locale.ROOT,
                k.equals("lr") ? " - %s: %.3g" : " - %s: %.4f", k, v)));
        sb.append(String.format(Locale.ROOT, " - %.0f ex/s", examplesPerSecond));
        return sb.toString();
    }

    /** Prints nothing. */
    static ProgressListener silent() {
        return (epoch, epochs, logs, seconds, rate) -> { };
    }
}
