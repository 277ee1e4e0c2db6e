package io.dendrite.core.optim;

import io.dendrite.core.kernel.Kernel;
import java.util.Map;

/**
 * An update rule over a network's one flat parameter array. It owns its state (moments, accumulators),
 * which follows the lifecycle {@link #initialize} → {@link #step} … → {@link #reset}; {@link #copy}
 * gives the same configuration with fresh state, so two training runs never share it.
 */
public interface Optimizer {

    /** The lower-case name used in files and logs, e.g. {@code adam}. */
    String id();

    /** The base learning rate that schedules scale. */
    float learningRate();

    /** The hyperparameters, by name, for the model file's training summary. */
    Map<String, Object> config();

    /** Allocates state for {@code parameterCount} parameters and sets the step count to zero. */
    void initialize(int parameterCount);

    /** Applies one update in place, with the (scheduled) learning rate {@code lr} and averaged gradient. */
    void step(float[] params, float[] grad, float lr, Kernel kernel);

    /** How many steps have been applied since {@link #initialize}. */
    long iterations();

    /** The state arrays by name (live references), for checkpoints. */
    Map<String, float[]> state();

    /** Restores the step count and state saved from {@link #iterations()} and {@link #state()}. */
    void restore(long iterations, Map<String, float[]> state);

    /** Zeroes the state and the step count, keeping the configuration. */
    void reset();

    /** The same configuration with fresh, uninitialised state. */
    Optimizer copy();
}
