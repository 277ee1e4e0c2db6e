package io.dendrite.ps;

import io.dendrite.core.kernel.Kernel;
import io.dendrite.core.optim.Optimizer;
import io.dendrite.core.optim.UpdateRule;
import io.dendrite.core.run.Streams;
import io.dendrite.core.run.TrainingConfig;
import io.dendrite.core.util.Checks;
import java.util.Map;

/**
 * The driver's half of synchronous data-parallel SGD: it holds the master weights (one flat
 * {@code float[]}), a private copy of the optimiser with its state, and the step counter; each step it
 * takes the merged gradient of all partitions, averages it over the examples, regularises it and applies
 * the update through the same {@link UpdateRule} as the single-JVM trainer.
 */
public final class ParameterAverager {
    private final float[] weights;
    private final Optimizer optimizer;
    private final UpdateRule rule;

    private ParameterAverager(TrainingConfig config, Kernel kernel, float[] weights) {
        this.weights = weights;
        this.optimizer = config.optimizer().copy();
        optimizer.initialize(weights.length);
        this.rule = new UpdateRule(optimizer, config.schedule(), config.regularization(),
                config.spec().weightRanges(), kernel);
    }

    /** A fresh averager with the initial weights {@code config}'s seed gives. */
    public static ParameterAverager start(TrainingConfig config, Kernel kernel) {
        return new ParameterAverager(config, kernel, config.spec().initialParameters(Streams.init(config.seed())));
    }

    /** An averager continuing from saved weights and optimiser state. */
    public static ParameterAverager resume(TrainingConfig config, Kernel kernel, float[] weights, long iterations,
                                           Map<String, float[]> optimizerState) {
        int expected = config.spec().parameterCount();
        Checks.checkArgument(weights.length == expected, "the saved weights hold %s parameters but the network has %s",
                weights.length, expected);
        ParameterAverager a = new ParameterAverager(config, kernel, weights.clone());
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
        Checks.checkArgument(total.count > 0, "step %s received no examples", step());
        Checks.checkArgument(total.gradient.length == weights.length,
                "a gradient of %s values cannot update %s parameters", total.gradient.length, weights.length);
        return rule.applyInPlace(weights, total.gradient, total.count, rateMultiplier);
    }
}
