package io.dendrite.core.optim;

import java.util.List;

/**
 * Factories with the usual defaults (PyTorch's where Keras and PyTorch differ), in the Keras spirit, and
 * {@link #of} by name, which the job files use: one list of names, and one place for each default.
 */
public final class Optimizers {
    /** The names {@link #of} accepts. */
    public static final List<String> NAMES = List.of("sgd", "momentum", "nesterov", "adagrad", "adadelta", "rmsprop",
            "adam", "adamw", "nadam");

    /** Where {@link #of} takes each hyper-parameter from, given its name, default and valid range. */
    @FunctionalInterface
    public interface Settings {
        /** The value of {@code key}: {@code defaultValue} when unset; within {@code [min, max]}. */
        float get(String key, float defaultValue, float min, float max);
    }

    /** Every hyper-parameter at its default. */
    public static final Settings DEFAULTS = (key, defaultValue, min, max) -> defaultValue;

    private Optimizers() {
    }

    /** The default learning rate of optimiser {@code name}: 1 for Adadelta, 0.01 for the SGD family, else 0.001. */
    public static float defaultLearningRate(String name) {
        return switch (name) {
            case "adadelta" -> 1f;
            case "sgd", "momentum", "nesterov" -> 0.01f;
            default -> 1e-3f;
        };
    }

    /** The optimiser called {@code name} ({@link #NAMES}) at rate {@code lr}, its other settings from {@code s}. */
    public static Optimizer of(String name, float lr, Settings s) {
        float below1 = 0.999999f;
        return switch (name) {
            case "sgd" -> new Sgd(lr, s.get("momentum", 0f, 0f, below1), false);
            case "momentum" -> new Sgd(lr, s.get("momentum", 0.9f, 0f, below1), false);
            case "nesterov" -> new Sgd(lr, s.get("momentum", 0.9f, 1e-9f, below1), true);
            case "adagrad" -> new Adagrad(lr, s.get("epsilon", 1e-10f, 0f, 1f));
            case "adadelta" -> new Adadelta(lr, s.get("rho", 0.9f, 0f, below1), s.get("epsilon", 1e-6f, 0f, 1f));
            case "rmsprop" -> new RmsProp(lr, s.get("alpha", 0.99f, 0f, below1), s.get("epsilon", 1e-8f, 0f, 1f));
            case "adam", "adamw" -> new Adam(lr, s.get("beta1", 0.9f, 0f, below1), s.get("beta2", 0.999f, 0f, below1),
                    s.get("epsilon", 1e-8f, 0f, 1f), s.get("weight_decay", name.equals("adamw") ? 0.01f : 0f, 0f, 1f));
            case "nadam" -> new Nadam(lr, s.get("beta1", 0.9f, 0f, below1), s.get("beta2", 0.999f, 0f, below1),
                    s.get("epsilon", 1e-8f, 0f, 1f), s.get("momentum_decay", 0.004f, 0f, 1f));
            default -> throw new IllegalArgumentException("unknown optimizer '" + name + "'; expected one of " + NAMES);
        };
    }

    /** Plain SGD. */
    public static Optimizer sgd(float lr) {
        return of("sgd", lr, DEFAULTS);
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
        return of("adagrad", lr, DEFAULTS);
    }

    /** Adadelta, rho 0.9, eps 1e-6. */
    public static Optimizer adadelta(float lr) {
        return of("adadelta", lr, DEFAULTS);
    }

    /** RMSprop, alpha 0.99, eps 1e-8. */
    public static Optimizer rmsprop(float lr) {
        return of("rmsprop", lr, DEFAULTS);
    }

    /** Adam, betas (0.9, 0.999), eps 1e-8. */
    public static Optimizer adam(float lr) {
        return of("adam", lr, DEFAULTS);
    }

    /** AdamW with decoupled weight decay {@code weightDecay} (PyTorch's default is 0.01). */
    public static Optimizer adamW(float lr, float weightDecay) {
        return of("adamw", lr, (key, d, min, max) -> key.equals("weight_decay") ? weightDecay : d);
    }

    /** Nadam, betas (0.9, 0.999), eps 1e-8, momentum decay 0.004. */
    public static Optimizer nadam(float lr) {
        return of("nadam", lr, DEFAULTS);
    }
}
