package io.dendrite.core.optim;

import io.dendrite.core.kernel.Kernel;
import java.util.List;

/**
 * One optimiser step from a summed gradient, in the order every trainer uses: average over the
 * examples, add the norm-penalty gradient, clip by global norm, schedule the learning rate, apply
 * decoupled weight decay, then the optimiser's update. Every trainer applies it through the run's
 * {@code MasterWeights}, which keeps them equal bit for bit on one partition.
 */
public final class UpdateRule {
    private final Optimizer optimizer;
    private final LearningRateSchedule schedule;
    private final Regularization regularization;
    private final List<int[]> weightRanges;
    private final Kernel kernel;

    /** A rule driving {@code optimizer}, which must already be initialised for the parameter count. */
    public UpdateRule(Optimizer optimizer, LearningRateSchedule schedule, Regularization regularization,
                      List<int[]> weightRanges, Kernel kernel) {
        this.optimizer = optimizer;
        this.schedule = schedule;
        this.regularization = regularization;
        this.weightRanges = List.copyOf(weightRanges);
        this.kernel = kernel;
    }

    /** What one step did. */
    public record Applied(float learningRate, double penalty, double gradientNorm) {
    }

    /** The optimiser this rule drives (live: its state is the training state). */
    public Optimizer optimizer() {
        return optimizer;
    }

    /** The scheduled rate of the next step, before any plateau multiplier. */
    public float scheduledRate() {
        return schedule.rate(optimizer.learningRate(), optimizer.iterations());
    }

    /**
     * Averages {@code gradSum} over {@code count} examples (in place), regularises it and updates
     * {@code params} in place with the scheduled rate times {@code rateMultiplier}.
     */
    public Applied applyInPlace(float[] params, float[] gradSum, long count, float rateMultiplier) {
        kernel.scaleInPlace(gradSum.length, 1f / count, gradSum, 0);
        double penalty = regularization.addPenaltyGradient(params, gradSum, weightRanges, kernel);
        double norm = regularization.clipInPlace(gradSum, kernel);
        float lr = scheduledRate() * rateMultiplier;
        regularization.decayWeightsInPlace(params, lr, weightRanges, kernel);
        optimizer.step(params, gradSum, lr, kernel);
        return new Applied(lr, penalty, norm);
    }
}
