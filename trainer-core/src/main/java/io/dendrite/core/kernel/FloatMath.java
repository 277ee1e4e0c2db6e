package io.dendrite.core.kernel;

/**
 * {@code exp}, {@code tanh} and the logistic function in float32, built only from multiplications,
 * additions, one division and bit operations, each in a fixed order. So they give the same bits
 * interpreted, C1- or C2-compiled and in every vector width: the vector kernel computes each lane with
 * exactly these operations ({@code io.dendrite.core.kernel.vector.VectorMath}), where the Vector API's
 * {@code EXP}/{@code TANH} run {@code Math.exp} per lane until C2 compiles them and an intrinsic with
 * other rounding afterwards. No fused multiply-add either: a JVM without FMA hardware computes
 * {@code Math.fma} in {@code BigDecimal}.
 *
 * <p>The polynomials are Cephes' {@code expf} and {@code tanhf} (S. L. Moshier), relative error about
 * 2 ulp over the range used here. Arguments are clamped to [{@link #EXP_MIN}, {@link #EXP_MAX}], so
 * {@code exp} never returns 0 or infinity: below the range it returns about 1.6e-38, above it 1.65e38.
 */
public final class FloatMath {
    /** Smallest argument {@code exp} honours: 2^n stays a normal float. */
    public static final float EXP_MIN = -87f;
    /** Largest argument {@code exp} honours: 2^n stays finite. */
    public static final float EXP_MAX = 88f;
    public static final float LOG2E = 1.44269504088896341f;
    /** 1.5·2^23: adding it rounds a float below 2^22 in magnitude to the nearest integer. */
    public static final float ROUND_MAGIC = 12582912f;
    public static final int ROUND_MAGIC_BITS = Float.floatToRawIntBits(ROUND_MAGIC);
    /** ln 2 split in two so that {@code n·LN2_HI} is exact. */
    public static final float LN2_HI = 0.693359375f;
    public static final float LN2_LO = -2.12194440e-4f;
    public static final float EXP_P0 = 1.9875691500e-4f;
    public static final float EXP_P1 = 1.3981999507e-3f;
    public static final float EXP_P2 = 8.3334519073e-3f;
    public static final float EXP_P3 = 4.1665795894e-2f;
    public static final float EXP_P4 = 1.6666665459e-1f;
    public static final float EXP_P5 = 5.0000001201e-1f;
    /** Below this magnitude {@code tanh} is its odd polynomial; above it {@code 1 − 2/(e^{2x}+1)}. */
    public static final float TANH_SMALL = 0.625f;
    public static final float TANH_P0 = -5.70498872745e-3f;
    public static final float TANH_P1 = 2.06390887954e-2f;
    public static final float TANH_P2 = -5.37397155531e-2f;
    public static final float TANH_P3 = 1.33314422036e-1f;
    public static final float TANH_P4 = -3.33332819422e-1f;

    private FloatMath() {
    }

    /** e^x, see the class comment for the range. */
    public static float exp(float x) {
        float c = Math.min(Math.max(x, EXP_MIN), EXP_MAX);
        float t = c * LOG2E + ROUND_MAGIC;
        float n = t - ROUND_MAGIC;
        float r = c - n * LN2_HI - n * LN2_LO;
        float p = EXP_P0 * r + EXP_P1;
        p = p * r + EXP_P2;
        p = p * r + EXP_P3;
        p = p * r + EXP_P4;
        p = p * r + EXP_P5;
        float y = p * (r * r) + r + 1f;
        int scale = (Float.floatToRawIntBits(t) - ROUND_MAGIC_BITS + 127) << 23;
        return y * Float.intBitsToFloat(scale);
    }

    /** The logistic function {@code 1 / (1 + e^{−x})}. */
    public static float sigmoid(float x) {
        return 1f / (exp(-x) + 1f);
    }

    /** The hyperbolic tangent. */
    public static float tanh(float x) {
        float ax = Math.abs(x);
        if (ax < TANH_SMALL) {
            float z = x * x;
            float p = TANH_P0 * z + TANH_P1;
            p = p * z + TANH_P2;
            p = p * z + TANH_P3;
            p = p * z + TANH_P4;
            return p * z * x + x;
        }
        float big = 1f - 2f / (exp(ax + ax) + 1f);
        return Math.copySign(big, x);
    }
}
