package io.dendrite.spark;

import io.dendrite.ps.GradientAccumulator;
import io.dendrite.ps.StepBytes;

/**
 * Runs the executor side of synchronous steps for {@link SparkTrainer}: publish step {@code t}'s weights,
 * have every partition compute its share, return the merged shares. The driver applies the update in
 * between; both implementations merge in the same fixed tree, so they give the same bits.
 */
interface StepExchange extends AutoCloseable {
    /**
     * One step's merged result, the driver-side time of publishing and of waiting for it, and the bytes
     * counted ({@link StepBytes#NONE} where the mode does not count them).
     */
    record Result(GradientAccumulator merged, long publishNanos, long waitNanos, StepBytes bytes) {
    }

    /**
     * How the step traffic is protected, as the run's summary records it: {@code spark} (Spark's own task
     * and result channels), {@code tls1.3} or {@code hmac} (the barrier mode's own connections, encrypted or
     * authenticated only).
     */
    String traffic();

    /** Called before the first step of each epoch (or of the epoch a resumed run continues). */
    void beginEpoch(int epoch);

    /** Publishes {@code weights} (not kept) for step {@code step} and returns every partition's share merged. */
    Result step(int epoch, long stepInEpoch, long step, float[] weights);

    /** Called after the last step of each epoch, before validation. */
    void endEpoch();

    /** Releases what the exchange holds; safe after a failure. */
    @Override
    void close();
}
