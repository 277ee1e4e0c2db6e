package io.dendrite.core.optim;

import io.dendrite.core.kernel.Kernel;
import io.dendrite.core.util.Checks;
import java.util.Map;

/**
 * RMSprop (Tieleman and Hinton 2012, lecture 6.5): {@code s = α·s + (1−α)·g²; p −= lr·g / (√s + eps)},
 * PyTorch's form (eps outside the root).
 */
public final class RmsProp extends AbstractOptimizer {
    private final float alpha;
    private final float eps;

    /** RMSprop with smoothing {@code alpha} (PyTorch 0.99, Keras 0.9) and {@code eps} (1e-8). */
    public RmsProp(float learningRate, float alpha, float eps) {
        super(learningRate, "square_avg");
        this.alpha = Checks.inRange("rmsprop alpha", alpha, 0f, 1f);
        this.eps = Checks.positive("rmsprop eps", eps);
    }

    @Override
    public String id() {
        return "rmsprop";
    }

    @Override
    public Map<String, Object> config() {
        return Map.of("learning_rate", learningRate, "alpha", alpha, "eps", eps);
    }

    @Override
    public void step(float[] params, float[] grad, float lr, Kernel kernel) {
        checkStep(params, grad, lr);
        float[] s = buffer("square_avg");
        for (int i = 0; i < params.length; i++) {
            float g = grad[i];
            s[i] = alpha * s[i] + (1 - alpha) * g * g;
            params[i] -= lr * g / ((float) Math.sqrt(s[i]) + eps);
        }
        t++;
    }

    @Override
    public Optimizer copy() {
        return new RmsProp(learningRate, alpha, eps);
    }
}
