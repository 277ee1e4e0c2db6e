package io.dendrite.core.optim;

import io.dendrite.core.kernel.Kernel;
import io.dendrite.core.util.Checks;
import java.util.Map;

/**
 * Adadelta (Zeiler 2012): {@code E[g²] = ρ·E[g²] + (1−ρ)·g²};
 * {@code Δ = √(E[Δ²] + eps) / √(E[g²] + eps) · g}; {@code E[Δ²] = ρ·E[Δ²] + (1−ρ)·Δ²};
 * {@code p −= lr·Δ}. As in PyTorch the learning rate scales Δ and defaults to 1.
 */
public final class Adadelta extends AbstractOptimizer {
    private final float rho;
    private final float eps;

    /** Adadelta with decay {@code rho} (0.9 in PyTorch) and {@code eps} (1e-6). */
    public Adadelta(float learningRate, float rho, float eps) {
        super(learningRate, "square_avg", "acc_delta");
        this.rho = Checks.inRange("adadelta rho", rho, 0f, 1f);
        this.eps = Checks.positive("adadelta eps", eps);
    }

    @Override
    public String id() {
        return "adadelta";
    }

    @Override
    public Map<String, Object> config() {
        return Map.of("learning_rate", learningRate, "rho", rho, "eps", eps);
    }

    @Override
    public void step(float[] params, float[] grad, float lr, Kernel kernel) {
        checkStep(params, grad, lr);
        float[] sq = buffer("square_avg");
        float[] acc = buffer("acc_delta");
        for (int i = 0; i < params.length; i++) {
            float g = grad[i];
            sq[i] = rho * sq[i] + (1 - rho) * g * g;
            float delta = (float) Math.sqrt(acc[i] + eps) / (float) Math.sqrt(sq[i] + eps) * g;
            acc[i] = rho * acc[i] + (1 - rho) * delta * delta;
            params[i] -= lr * delta;
        }
        t++;
    }

    @Override
    public Optimizer copy() {
        return new Adadelta(learningRate, rho, eps);
    }
}
