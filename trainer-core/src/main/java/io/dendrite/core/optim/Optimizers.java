package io.dendrite.core.optim;

/** Factories with the usual defaults (PyTorch's where Keras and PyTorch differ), in the Keras spirit. */
public final class Optimizers {
    private Optimizers() {
    }

    /** Plain SGD. */
    public static Optimizer sgd(float lr) {
        return new Sgd(lr, 0f, false);
    }

    /** SGD with heavy-ball momentum. */
    public static Optimizer momentum(float lr, float momentum) {
        return new Sgd(lr, momentum, false);
    }

    /** SGD with Nesterov momentum. */
    public static Optimizer nesterov(float lr, float momentum) {
        return new Sgd(lr, momentum, true);
    }

    /** Adagrad, eps 1e-10. */
    public static Optimizer adagrad(float lr) {
        return new Adagrad(lr, 1e-10f);
    }

    /** Adadelta, rho 0.9, eps 1e-6. */
    public static Optimizer adadelta(float lr) {
        return new Adadelta(lr, 0.9f, 1e-6f);
    }

    /** RMSprop, alpha 0.99, eps 1e-8. */
    public static Optimizer rmsprop(float lr) {
        return new RmsProp(lr, 0.99f, 1e-8f);
    }

    /** Adam, betas (0.9, 0.999), eps 1e-8. */
    public static Optimizer adam(float lr) {
        return new Adam(lr, 0.9f, 0.999f, 1e-8f, 0f);
    }

    /** AdamW with decoupled weight decay {@code weightDecay} (PyTorch's default is 0.01). */
    public static Optimizer adamW(float lr, float weightDecay) {
        return new Adam(lr, 0.9f, 0.999f, 1e-8f, weightDecay);
    }

    /** Nadam, betas (0.9, 0.999), eps 1e-8, momentum decay 0.004. */
    public static Optimizer nadam(float lr) {
        return new Nadam(lr, 0.9f, 0.999f, 1e-8f, 0.004f);
    }
}
