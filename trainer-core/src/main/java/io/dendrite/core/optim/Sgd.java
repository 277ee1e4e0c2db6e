package io.dendrite.core.optim;

import io.dendrite.core.kernel.Kernel;
import io.dendrite.core.util.Checks;
import java.util.Map;

/**
 * Stochastic gradient descent, optionally with heavy-ball momentum (Polyak 1964) or Nesterov momentum
 * (Sutskever et al. 2013), in PyTorch's formulation: {@code v = μ·v + g}; {@code p −= lr·v}, or
 * {@code p −= lr·(g + μ·v)} with Nesterov.
 */
public final class Sgd extends AbstractOptimizer {
    private final float momentum;
    private final boolean nesterov;

    /** SGD with the given momentum (0 for plain SGD); Nesterov needs momentum > 0. */
    public Sgd(float learningRate, float momentum, boolean nesterov) {
        super(learningRate, momentum > 0 ? new String[] {"velocity"} : new String[0]);
        this.momentum = Checks.inRange("momentum", momentum, 0f, 1f);
        Checks.checkArgument(!nesterov || momentum > 0, "nesterov momentum needs momentum > 0 but was %s", momentum);
        this.nesterov = nesterov;
    }

    @Override
    public String id() {
        return nesterov ? "nesterov" : momentum > 0 ? "momentum" : "sgd";
    }

    @Override
    public Map<String, Object> config() {
        return Map.of("learning_rate", learningRate, "momentum", momentum, "nesterov", nesterov);
    }

    @Override
    public void step(float[] params, float[] grad, float lr, Kernel kernel) {
        checkStep(params, grad, lr);
        if (momentum == 0f) {
            kernel.axpy(params.length, -lr, grad, 0, params, 0);
        } else {
            float[] v = buffer("velocity");
            for (int i = 0; i < params.length; i++) {
                float vi = momentum * v[i] + grad[i];
                v[i] = vi;
                params[i] -= lr * (nesterov ? grad[i] + momentum * vi : vi);
            }
        }
        t++;
    }

    @Override
    public Optimizer copy() {
        return new Sgd(learningRate, momentum, nesterov);
    }
}
