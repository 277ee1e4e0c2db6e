package io.dendrite.spark;

/**
 * A step produced a non-finite loss or gradient and {@link SparkTrainer.Divergence#STOP} was asked for:
 * the run stopped before applying it, so no weights, checkpoint or model holds non-finite values.
 */
public final class TrainingDivergedException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /** With the one-line message for the user. */
    public TrainingDivergedException(String message) {
        super(message);
    }
}
