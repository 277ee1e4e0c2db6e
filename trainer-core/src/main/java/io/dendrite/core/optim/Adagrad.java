package io.dendrite.core.optim;

import io.dendrite.core.kernel.Kernel;
import io.dendrite.core.util.Checks;
import java.util.Map;

/**
 * Adagrad (Duchi, Hazan and Singer 2011): {@code s += g²; p −= lr·g / (√s + eps)}.
 */
public final class Adagrad extends AbstractOptimizer {
    private final float eps;

    /** Adagrad with PyTorch's default {@code eps = 1e-10}. */
    public Adagrad(float learningRate, float eps) {
        super(learningRate, "sum");
        this.eps = Checks.positive("adagrad eps", eps);
    }

    @Override
    public String id() {
        return "adagrad";
    }

    @Override
    public Map<String, Object> config() {
        return Map.of("learning_rate", learningRate, "eps", eps);
    }

    @Override
    public void step(float[] params, float[] grad, float lr, Kernel kernel) {
        checkStep(params, grad, lr);
        float[] s = buffer("sum");
        for (int i = 0; i < params.length; i++) {
            float g = grad[i];
            s[i] += g * g;
            params[i] -= lr * g / ((float) Math.sqrt(s[i]) + eps);
        }
        t++;
    }

    @Override
    public Optimizer copy() {
        return new Adagrad(learningRate, eps);
    }
}
