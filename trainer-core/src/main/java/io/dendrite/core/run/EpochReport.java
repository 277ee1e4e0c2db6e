package io.dendrite.core.run;

import io.dendrite.core.step.StepTimes;
import java.io.PrintStream;
import java.util.Map;

/**
 * What the training loop reports after each epoch, in either trainer: the Keras-style metrics, wall time,
 * throughput and the step-time breakdown.
 *
 * @param epoch 1-based
 */
public record EpochReport(int epoch, int epochs, Map<String, Double> logs, double seconds, double examplesPerSecond,
                          StepTimes steps) {

    /** Told at the end of each epoch (and, if it wants, of each step). */
    @FunctionalInterface
    public interface Listener {
        /** Called once per epoch. */
        void onEpochEnd(EpochReport report);

        /** Called on the driver after the update of each step; {@code step} is the number of steps applied. */
        default void onStepEnd(long step) {
        }

        /** Prints one line per epoch to {@code out}. */
        static Listener printingTo(PrintStream out) {
            return r -> out.println(r.line());
        }

        /** Prints nothing. */
        static Listener silent() {
            return r -> { };
        }
    }

    /** {@code Epoch 3/10 - 4.21s - loss: 0.4012 - accuracy: 0.8571 - … - 14250 ex/s - step 26.1 ms (…)}. */
    public String line() {
        return ProgressListener.line(epoch, epochs, logs, seconds, examplesPerSecond) + " - " + steps.describe();
    }
}
