package io.dendrite.core.run;

/** What a step whose loss or gradient is not finite does: stop the run there, or skip the step and count it. */
public enum Divergence {
    /** Fail the run at that step with {@link TrainingDivergedException}, before the update. */
    STOP,
    /** Leave the weights as they were, count the step in {@code skipped_steps}, and go on. */
    SKIP
}
