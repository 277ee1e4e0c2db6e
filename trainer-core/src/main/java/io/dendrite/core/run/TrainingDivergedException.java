package io.dendrite.core.run;

/**
 * A step produced a non-finite loss or gradient and {@link Divergence#STOP} was asked for, or an update
 * made the weights non-finite: the run stopped before anything non-finite was applied or written, so no
 * weights, checkpoint or model holds non-finite values.
 */
public final class TrainingDivergedException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /** With the one-line message for the user. */
    public TrainingDivergedException(String message) {
        super(message);
    }
}
