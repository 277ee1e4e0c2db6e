package io.dendrite.core.run;

import io.dendrite.core.kernel.Kernel;
import io.dendrite.core.optim.Optimizer;
import io.dendrite.core.optim.UpdateRule;
import io.dendrite.core.step.GradientAccumulator;
import io.dendrite.core.util.Checks;
import java.util.Map;

/**
 * A run's master weights (one flat {@code float[]}) and the optimiser that updates them, with its state and the
 * step counter. Each step it takes the merged gradient of every partition, averages it over the examples,
 * regularises it and applies the update ({@link UpdateRule}). The {@link TrainingLoop} of both trainers holds
 * one; on Spark it lives on the driver.
 */
public final class MasterWeights {
    private final float[] weights;
    private final Optimizer optimizer;
    private final UpdateRule rule;

    private MasterWeights(TrainingConfig config, Kernel kernel, float[] weights) {
        this.weights = weights;
        this.optimizer = config.optimizer().copy();
        optimizer.initialize(weights.length);
        this.rule = new UpdateRule(optimizer, config.schedule(), config.regularization(),
                config.spec().weightRanges(), kernel);
    }

    /** Fresh weights, the initial ones {@code config}'s seed gives, and a fresh copy of its optimiser. */
    public static MasterWeights start(TrainingConfig config, Kernel kernel) {
        return new MasterWeights(config, kernel, config.spec().initialParameters(Streams.init(config.seed())));
    }

    /** Weights continuing from saved weights and optimiser state. */
    public static MasterWeights resume(TrainingConfig config, Kernel kernel, float[] weights, long iterations,
                                           Map<String, float[]> optimizerState) {
        int expected = config.spec().parameterCount();
        Checks.checkArgument(weights.length == expected, "the saved weights hold %s parameters but the network has %s",
                weights.length, expected);
        MasterWeights a = new MasterWeights(config, kernel, weights.clone());
        a.optimizer.restore(iterations, optimizerState);
        return a;
    }

    /** The master weights (live; publish a copy or treat as read-only while a step runs). */
    public float[] weights() {
        return weights;
    }

    /** Optimiser steps applied so far: the number of the next step. */
    public long step() {
        return optimizer.iterations();
    }

    /** The optimiser, whose state a checkpoint saves. */
    public Optimizer optimizer() {
        return optimizer;
    }

    /** The scheduled learning rate of the next step, before any plateau multiplier. */
    public float scheduledRate() {
        return rule.scheduledRate();
    }

    /**
     * Applies one step from the merged result of every partition; its gradient array is averaged in
     * place. Fails on a step without examples rather than dividing by zero.
     */
    public UpdateRule.Applied apply(GradientAccumulator.Node total, float rateMultiplier) {
        Checks.checkArgument(total.stats().count() > 0, "step %s received no examples", step());
        Checks.checkArgument(total.gradient().length == weights.length,
                "a gradient of %s values cannot update %s parameters", total.gradient().length, weights.length);
        return rule.applyInPlace(weights, total.gradient(), total.stats().count(), rateMultiplier);
    }
}
