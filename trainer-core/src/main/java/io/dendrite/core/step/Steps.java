package io.dendrite.core.step;

import java.util.Map;

/**
 * How a run's steps are computed: the seam between the one training loop ({@code io.dendrite.core.run.TrainingLoop})
 * and whatever computes the gradients. Each step the loop hands over the weights; an implementation has every
 * partition of the training data compute its share of the global batch and returns the shares merged in the
 * fixed tree of {@link GradientAccumulator}; the loop then applies the update. The single-JVM trainer computes
 * the step in its own thread; each Spark step mode (a job per step, barrier tasks, elastic tasks) is another
 * implementation. Where the step is computed does not change its bits.
 */
public interface Steps extends AutoCloseable {
    /**
     * One step's merged result, the driver-side time of publishing and of waiting for it, and the bytes
     * counted ({@link StepBytes#NONE} where the mode does not count them).
     */
    record Result(GradientAccumulator merged, long publishNanos, long waitNanos, StepBytes bytes) {
    }

    /**
     * How the step traffic is protected, as the run's summary records it: {@code in-process} (no traffic),
     * {@code spark} (Spark's own task and result channels), {@code tls1.3} or {@code hmac} (the long-lived
     * modes' own connections, encrypted or authenticated only).
     */
    String traffic();

    /** Called before the first step of each epoch (or of the epoch a resumed run continues). */
    void beginEpoch(int epoch);

    /** Publishes {@code weights} (not kept) for step {@code step} and returns every partition's share merged. */
    Result step(int epoch, long stepInEpoch, long step, float[] weights);

    /** Called after the last step of each epoch, before validation. */
    void endEpoch();

    /** Adds what the run's summary should say of how its steps went (nothing by default). */
    default void describe(Map<String, Object> summary) {
    }

    /** Releases what the steps hold; safe after a failure. */
    @Override
    void close();
}
