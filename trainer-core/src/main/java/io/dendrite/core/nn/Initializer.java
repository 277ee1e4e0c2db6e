package io.dendrite.core.nn;

import io.dendrite.core.util.Checks;
import io.dendrite.core.util.Rng;
import java.util.Locale;

/**
 * How a dense layer's weights are drawn; biases always start at zero. {@code scale} is the standard
 * deviation of {@link Kind#NORMAL} or the half-width of {@link Kind#UNIFORM}; the fan-based kinds
 * ignore it and derive their scale from fan-in and fan-out as PyTorch's {@code nn.init} does.
 */
public record Initializer(Kind kind, float scale) implements java.io.Serializable {

    /** The supported schemes. */
    public enum Kind { NORMAL, UNIFORM, GLOROT_NORMAL, GLOROT_UNIFORM, HE_NORMAL, HE_UNIFORM }

    /** The names {@link #of} accepts, as model and job files spell them. */
    public static final java.util.List<String> NAMES = java.util.Arrays.stream(Kind.values())
            .map(k -> k.name().toLowerCase(Locale.ROOT)).toList();

    /** Glorot/Xavier uniform, {@code U(±√(6/(fanIn+fanOut)))} (Glorot and Bengio 2010); Keras' default. */
    public static final Initializer GLOROT_UNIFORM = new Initializer(Kind.GLOROT_UNIFORM, 0f);
    /** Glorot/Xavier normal, {@code N(0, 2/(fanIn+fanOut))}. */
    public static final Initializer GLOROT_NORMAL = new Initializer(Kind.GLOROT_NORMAL, 0f);
    /** He normal, {@code N(0, 2/fanIn)} (He et al. 2015), for ReLU-family layers. */
    public static final Initializer HE_NORMAL = new Initializer(Kind.HE_NORMAL, 0f);
    /** He uniform, {@code U(±√(6/fanIn))}. */
    public static final Initializer HE_UNIFORM = new Initializer(Kind.HE_UNIFORM, 0f);

    /** Validates the scale of the kinds that use one. */
    public Initializer {
        Checks.checkArgument(kind != null, "initializer kind must not be null");
        if (kind == Kind.NORMAL || kind == Kind.UNIFORM) {
            Checks.positive(kind.name().toLowerCase(Locale.ROOT) + " initializer scale", scale);
        } else {
            Checks.checkArgument(scale == 0f, "%s takes no scale but got %s", kind, scale);
        }
    }

    /** {@code N(0, stddev²)}. */
    public static Initializer normal(float stddev) {
        return new Initializer(Kind.NORMAL, stddev);
    }

    /** {@code U(−limit, limit)}. */
    public static Initializer uniform(float limit) {
        return new Initializer(Kind.UNIFORM, limit);
    }

    /** Parses the lower-case name used in model and job files. */
    public static Initializer of(String name, float scale) {
        Kind k;
        try {
            k = Kind.valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown initializer '" + name + "'; expected one of " + NAMES);
        }
        return new Initializer(k, (k == Kind.NORMAL || k == Kind.UNIFORM) ? scale : 0f);
    }

    /** The lower-case name used in model and job files. */
    public String id() {
        return kind.name().toLowerCase(Locale.ROOT);
    }

    /** Fills {@code w[off, off + fanIn·fanOut)} from {@code rng}. */
    public void fill(float[] w, int off, int fanIn, int fanOut, Rng rng) {
        int len = fanIn * fanOut;
        boolean gaussian = kind == Kind.NORMAL || kind == Kind.GLOROT_NORMAL || kind == Kind.HE_NORMAL;
        double s = switch (kind) {
            case NORMAL, UNIFORM -> scale;
            case GLOROT_NORMAL -> Math.sqrt(2.0 / (fanIn + fanOut));
            case GLOROT_UNIFORM -> Math.sqrt(6.0 / (fanIn + fanOut));
            case HE_NORMAL -> Math.sqrt(2.0 / fanIn);
            case HE_UNIFORM -> Math.sqrt(6.0 / fanIn);
        };
        for (int i = 0; i < len; i++) {
            w[off + i] = (float) (gaussian ? s * rng.nextGaussian() : s * (2.0 * rng.nextDouble() - 1.0));
        }
    }
}
