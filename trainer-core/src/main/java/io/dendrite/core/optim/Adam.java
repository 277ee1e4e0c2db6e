package io.dendrite.core.optim;

import io.dendrite.core.kernel.Kernel;
import io.dendrite.core.util.Checks;
import java.util.Map;

/**
 * Adam (Kingma and Ba 2015) with bias correction, and AdamW (Loshchilov and Hutter 2019) when
 * {@code weightDecay > 0}: the decay {@code p *= 1 − lr·λ} is applied to every parameter before the
 * Adam step, decoupled from the gradient, as PyTorch's {@code AdamW} does.
 */
public final class Adam extends AbstractOptimizer {
    private final float beta1;
    private final float beta2;
    private final float eps;
    private final float weightDecay;

    /** Adam (or AdamW when {@code weightDecay > 0}). */
    public Adam(float learningRate, float beta1, float beta2, float eps, float weightDecay) {
        super(learningRate, "m", "v");
        this.beta1 = Checks.inRange("adam beta1", beta1, 0f, 1f);
        this.beta2 = Checks.inRange("adam beta2", beta2, 0f, 1f);
        this.eps = Checks.positive("adam eps", eps);
        this.weightDecay = Checks.nonNegative("adamw weight decay", weightDecay);
    }

    @Override
    public String id() {
        return weightDecay > 0 ? "adamw" : "adam";
    }

    @Override
    public Map<String, Object> config() {
        return Map.of("learning_rate", learningRate, "beta1", beta1, "beta2", beta2, "eps", eps,
                "weight_decay", weightDecay);
    }

    @Override
    public void step(float[] params, float[] grad, float lr, Kernel kernel) {
        checkStep(params, grad, lr);
        t++;
        if (weightDecay > 0) {
            kernel.scaleInPlace(params.length, 1f - lr * weightDecay, params, 0);
        }
        double bc1 = 1 - Math.pow(beta1, t);
        double bc2 = 1 - Math.pow(beta2, t);
        kernel.adamUpdate(params.length, params, grad, buffer("m"), buffer("v"), beta1, beta2,
                (float) (lr / bc1), (float) Math.sqrt(bc2), eps);
    }

    @Override
    public Optimizer copy() {
        return new Adam(learningRate, beta1, beta2, eps, weightDecay);
    }
}
