package io.dendrite.core.optim;

import io.dendrite.core.util.Checks;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** State bookkeeping shared by the optimisers: named state arrays and the step count. */
abstract class AbstractOptimizer implements Optimizer {
    protected final float learningRate;
    private final String[] stateNames;
    private final Map<String, float[]> state = new LinkedHashMap<>();
    protected long t;

    AbstractOptimizer(float learningRate, String... stateNames) {
        this.learningRate = Checks.positive("learning rate", learningRate);
        this.stateNames = stateNames;
    }

    @Override
    public float learningRate() {
        return learningRate;
    }

    @Override
    public void initialize(int parameterCount) {
        Checks.atLeast("parameter count", parameterCount, 1);
        state.clear();
        for (String name : stateNames) {
            state.put(name, new float[parameterCount]);
        }
        t = 0;
    }

    /** The named state array; fails if {@link #initialize} was not called. */
    protected float[] buffer(String name) {
        float[] b = state.get(name);
        if (b == null) {
            throw new IllegalStateException(id() + " optimizer used before initialize()");
        }
        return b;
    }

    /** Checks the arrays passed to a step agree with the initialised state. */
    protected void checkStep(float[] params, float[] grad, float lr) {
        if (stateNames.length > 0) {
            int n = buffer(stateNames[0]).length;
            Checks.checkArgument(params.length == n && grad.length == n,
                    "%s was initialised for %s parameters but got %s parameters and %s gradients", id(), n,
                    params.length, grad.length);
        }
        Checks.checkArgument(Float.isFinite(lr) && lr >= 0, "learning rate must be finite and >= 0 but was %s", lr);
    }

    @Override
    public long iterations() {
        return t;
    }

    @Override
    public Map<String, float[]> state() {
        return Collections.unmodifiableMap(state);
    }

    @Override
    public void restore(long iterations, Map<String, float[]> saved) {
        Checks.checkArgument(iterations >= 0, "%s iterations must be >= 0 but was %s", id(), iterations);
        Checks.checkArgument(saved.keySet().equals(state.keySet()),
                "%s state must hold %s but holds %s", id(), state.keySet(), saved.keySet());
        for (Map.Entry<String, float[]> e : saved.entrySet()) {
            float[] mine = state.get(e.getKey());
            Checks.checkArgument(mine.length == e.getValue().length, "%s state '%s' must hold %s values but holds %s",
                    id(), e.getKey(), mine.length, e.getValue().length);
            System.arraycopy(e.getValue(), 0, mine, 0, mine.length);
        }
        t = iterations;
    }

    @Override
    public void reset() {
        for (float[] b : state.values()) {
            Arrays.fill(b, 0f);
        }
        t = 0;
    }

    @Override
    public String toString() {
        return id() + config();
    }
}
