package io.dendrite.core.optim;

import io.dendrite.core.kernel.Kernel;
import io.dendrite.core.util.Checks;
import java.util.Map;

/**
 * Nadam, Adam with Nesterov momentum (Dozat 2016), with the momentum schedule
 * {@code μ_t = β1·(1 − ½·0.96^(t·ψ))} used by PyTorch's {@code NAdam} and Keras.
 */
public final class Nadam extends AbstractOptimizer {
    private final float beta1;
    private final float beta2;
    private final float eps;
    private final float momentumDecay;
    private double muProduct = 1.0;

    /** Nadam with PyTorch's defaults being {@code beta1 = 0.9, beta2 = 0.999, eps = 1e-8, ψ = 0.004}. */
    public Nadam(float learningRate, float beta1, float beta2, float eps, float momentumDecay) {
        super(learningRate, "m", "v");
        this.beta1 = Checks.inRange("nadam beta1", beta1, 0f, 1f);
        this.beta2 = Checks.inRange("nadam beta2", beta2, 0f, 1f);
        this.eps = Checks.positive("nadam eps", eps);
        this.momentumDecay = Checks.nonNegative("nadam momentum decay", momentumDecay);
    }

    @Override
    public String id() {
        return "nadam";
    }

    @Override
    public Map<String, Object> config() {
        return Map.of("learning_rate", learningRate, "beta1", beta1, "beta2", beta2, "eps", eps,
                "momentum_decay", momentumDecay);
    }

    private double mu(long step) {
        return beta1 * (1.0 - 0.5 * Math.pow(0.96, step * (double) momentumDecay));
    }

    @Override
    public void step(float[] params, float[] grad, float lr, Kernel kernel) {
        checkStep(params, grad, lr);
        t++;
        double mu = mu(t);
        double muNext = mu(t + 1);
        muProduct *= mu;
        double bc2 = 1 - Math.pow(beta2, t);
        float gradCoef = (float) (-lr * (1 - mu) / (1 - muProduct));
        float momCoef = (float) (-lr * muNext / (1 - muProduct * muNext));
        float sqrtBc2 = (float) Math.sqrt(bc2);
        float[] m = buffer("m");
        float[] v = buffer("v");
        for (int i = 0; i < params.length; i++) {
            float g = grad[i];
            m[i] = beta1 * m[i] + (1 - beta1) * g;
            v[i] = beta2 * v[i] + (1 - beta2) * g * g;
            float denom = (float) Math.sqrt(v[i]) / sqrtBc2 + eps;
            params[i] += gradCoef * g / denom + momCoef * m[i] / denom;
        }
    }

    @Override
    public void initialize(int parameterCount) {
        super.initialize(parameterCount);
        muProduct = 1.0;
    }

    @Override
    public void reset() {
        super.reset();
        muProduct = 1.0;
    }

    @Override
    public void restore(long iterations, Map<String, float[]> saved) {
        super.restore(iterations, saved);
        muProduct = 1.0;
        for (long s = 1; s <= iterations; s++) {
            muProduct *= mu(s);
        }
    }

    @Override
    public Optimizer copy() {
        return new Nadam(learningRate, beta1, beta2, eps, momentumDecay);
    }
}
