package io.dendrite.core.step;

/**
 * The bytes one step moved: what the driver received and sent, and the most any one task node received
 * and sent (0 where tasks do not relay). Counted as frames are built, not timed.
 *
 * @param driverIn  bytes the driver received
 * @param driverOut bytes the driver sent
 * @param nodeIn    the most bytes one task node received
 * @param nodeOut   the most bytes one task node sent
 */
public record StepBytes(long driverIn, long driverOut, long nodeIn, long nodeOut) {
    /** No traffic counted. */
    public static final StepBytes NONE = new StepBytes(0, 0, 0, 0);
}
