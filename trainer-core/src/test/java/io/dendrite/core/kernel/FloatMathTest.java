package io.dendrite.core.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@link FloatMath} against the JDK's double-precision functions, in ulps of the float result. */
class FloatMathTest {

    private static void assertUlps(double expected, float actual, int ulps, String what) {
        float e = (float) expected;
        assertTrue(Math.abs(actual - e) <= ulps * Math.ulp(e), what + ": expected " + e + " but was " + actual);
    }

    @Test
    void expWithinTwoUlpOverItsRange() {
        for (float x = -87f; x <= 88f; x += 0.0037f) {
            assertUlps(StrictMath.exp(x), FloatMath.exp(x), 2, "exp(" + x + ")");
        }
        assertEquals(1f, FloatMath.exp(0f));
        assertEquals(1f, FloatMath.exp(-0f));
    }

    @Test
    void expClampsInsteadOfOverflowing() {
        assertEquals(FloatMath.exp(FloatMath.EXP_MAX), FloatMath.exp(1000f));
        assertEquals(FloatMath.exp(FloatMath.EXP_MIN), FloatMath.exp(-1000f));
        assertTrue(FloatMath.exp(-1000f) > 0f && Float.isFinite(FloatMath.exp(Float.POSITIVE_INFINITY)));
        assertTrue(Float.isNaN(FloatMath.exp(Float.NaN)));
    }

    @Test
    void tanhAndSigmoidWithinThreeUlp() {
        for (float x = -12f; x <= 12f; x += 0.00113f) {
            assertUlps(StrictMath.tanh(x), FloatMath.tanh(x), 3, "tanh(" + x + ")");
            assertUlps(1.0 / (1.0 + StrictMath.exp(-x)), FloatMath.sigmoid(x), 3, "sigmoid(" + x + ")");
        }
        assertEquals(1f, FloatMath.tanh(50f));
        assertEquals(-1f, FloatMath.tanh(-50f));
        assertEquals(1e-30f, FloatMath.tanh(1e-30f));
        assertTrue(Float.isNaN(FloatMath.tanh(Float.NaN)));
    }
}
