package io.dendrite.core.loss;

/**
 * What a pass over some examples measured: the summed loss, how many examples, and how many were
 * classified right (zero for regression). Mergeable, so partial results add up in any grouping.
 */
public record LossStats(double lossSum, long count, long correct) {
    /** Nothing measured yet. */
    public static final LossStats EMPTY = new LossStats(0, 0, 0);

    /** The sum of two measurements. */
    public LossStats plus(LossStats o) {
        return new LossStats(lossSum + o.lossSum, count + o.count, correct + o.correct);
    }

    /** The mean loss per example ({@code NaN} when empty). */
    public double meanLoss() {
        return count == 0 ? Double.NaN : lossSum / count;
    }

    /** The fraction classified right ({@code NaN} when empty). */
    public double accuracy() {
        return count == 0 ? Double.NaN : (double) correct / count;
    }
}
