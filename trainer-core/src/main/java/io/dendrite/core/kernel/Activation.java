package io.dendrite.core.kernel;

import io.dendrite.core.util.Checks;
import java.util.Locale;

/**
 * An element-wise (or, for softmax, row-wise) activation function. An immutable value: the kind plus
 * its one parameter ({@code alpha}: the negative slope of leaky ReLU, the saturation of ELU).
 */
public record Activation(Kind kind, float alpha) implements java.io.Serializable {

    /** The supported activation functions. */
    public enum Kind { LINEAR, SIGMOID, TANH, RELU, LEAKY_RELU, ELU, GELU, SOFTMAX }

    /** The names {@link #of} accepts, as model and job files spell them. */
    public static final java.util.List<String> NAMES = java.util.Arrays.stream(Kind.values())
            .map(k -> k.name().toLowerCase(Locale.ROOT)).toList();

    /** Identity: {@code f(z) = z}. */
    public static final Activation LINEAR = new Activation(Kind.LINEAR, 0f);
    /** Logistic sigmoid {@code 1 / (1 + e^-z)}. */
    public static final Activation SIGMOID = new Activation(Kind.SIGMOID, 0f);
    /** Hyperbolic tangent. */
    public static final Activation TANH = new Activation(Kind.TANH, 0f);
    /** Rectified linear unit {@code max(0, z)}. */
    public static final Activation RELU = new Activation(Kind.RELU, 0f);
    /** Gaussian error linear unit, exact form {@code z·Φ(z)} (Hendrycks and Gimpel 2016). */
    public static final Activation GELU = new Activation(Kind.GELU, 0f);
    /** Row-wise softmax; only valid on the output layer, where it is fused with categorical cross-entropy. */
    public static final Activation SOFTMAX = new Activation(Kind.SOFTMAX, 0f);

    /** Validates the parameter for the kinds that take one. */
    public Activation {
        Checks.checkArgument(kind != null, "activation kind must not be null");
        switch (kind) {
            case LEAKY_RELU -> Checks.checkArgument(Float.isFinite(alpha) && alpha >= 0 && alpha < 1,
                    "leaky_relu alpha (negative slope) must be in [0, 1) but was %s", alpha);
            case ELU -> Checks.checkArgument(Float.isFinite(alpha) && alpha > 0,
                    "elu alpha must be a finite number > 0 but was %s", alpha);
            default -> Checks.checkArgument(alpha == 0f, "%s takes no alpha but got %s", kind, alpha);
        }
    }

    /** Leaky ReLU {@code z > 0 ? z : slope·z} (Maas et al. 2013); Keras' default slope is 0.3, PyTorch's 0.01. */
    public static Activation leakyRelu(float slope) {
        return new Activation(Kind.LEAKY_RELU, slope);
    }

    /** ELU {@code z > 0 ? z : alpha·(e^z − 1)} (Clevert et al. 2015). */
    public static Activation elu(float alpha) {
        return new Activation(Kind.ELU, alpha);
    }

    /** Parses the lower-case name used in model and job files. */
    public static Activation of(String name, float alpha) {
        Kind k;
        try {
            k = Kind.valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown activation '" + name + "'; expected one of " + NAMES);
        }
        return switch (k) {
            case LEAKY_RELU, ELU -> new Activation(k, alpha);
            default -> new Activation(k, 0f);
        };
    }

    /** The lower-case name used in model and job files. */
    public String id() {
        return kind.name().toLowerCase(Locale.ROOT);
    }

    /** True when the derivative cannot be recovered from the output alone, so the pre-activation is kept. */
    public boolean needsPreActivation() {
        return kind == Kind.GELU;
    }

    /** The scalar function, for every kind but softmax. */
    public float apply(float z) {
        return switch (kind) {
            case LINEAR -> z;
            case SIGMOID -> sigmoid(z);
            case TANH -> (float) Math.tanh(z);
            case RELU -> z > 0 ? z : 0f;
            case LEAKY_RELU -> z > 0 ? z : alpha * z;
            case ELU -> z > 0 ? z : (float) (alpha * Math.expm1(z));
            case GELU -> (float) (0.5 * z * (1.0 + erf(z / Math.sqrt(2.0))));
            case SOFTMAX -> throw new IllegalStateException("softmax is row-wise, not element-wise");
        };
    }

    /** The derivative at pre-activation {@code z} whose output was {@code a}. */
    public float derivative(float z, float a) {
        return switch (kind) {
            case LINEAR -> 1f;
            case SIGMOID -> a * (1f - a);
            case TANH -> 1f - a * a;
            case RELU -> a > 0 ? 1f : 0f;
            case LEAKY_RELU -> a > 0 ? 1f : alpha;
            case ELU -> a > 0 ? 1f : a + alpha;
            case GELU -> {
                double phi = Math.exp(-0.5 * z * z) / Math.sqrt(2.0 * Math.PI);
                yield (float) (0.5 * (1.0 + erf(z / Math.sqrt(2.0))) + z * phi);
            }
            case SOFTMAX -> throw new IllegalStateException("softmax is differentiated together with its loss");
        };
    }

    /** Numerically safe logistic function. */
    public static float sigmoid(float z) {
        if (z >= 0) {
            return (float) (1.0 / (1.0 + Math.exp(-z)));
        }
        double e = Math.exp(z);
        return (float) (e / (1.0 + e));
    }

    /**
     * The error function, Abramowitz and Stegun 7.1.26 (absolute error below 1.5e-7, under float32's
     * resolution near 1); the JDK has none.
     */
    static double erf(double x) {
        double t = 1.0 / (1.0 + 0.3275911 * Math.abs(x));
        double poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
        double y = 1.0 - poly * Math.exp(-x * x);
        return x >= 0 ? y : -y;
    }
}
