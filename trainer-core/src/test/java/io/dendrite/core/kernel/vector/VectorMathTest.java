package io.dendrite.core.kernel.vector;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.dendrite.core.kernel.FloatMath;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

/** Every lane of {@link VectorMath} gives {@link FloatMath}'s bits, over edges and a sweep, before and after C2. */
class VectorMathTest {
    private static final float[] EDGES = {0f, -0f, 1e-30f, -1e-30f, 0.624f, 0.625f, -0.6251f, 1f, -1f, 87.5f, -87.5f,
        88.5f, -88.5f, 1e30f, -1e30f, Float.MAX_VALUE, -Float.MAX_VALUE, Float.POSITIVE_INFINITY,
        Float.NEGATIVE_INFINITY, Float.MIN_VALUE, 3.4e-39f, 2.5f, -2.5f, 10f, -10f, 44f, -44f, 0.3f, -0.3f, 5e-4f};

    private static float[] inputs() {
        int lanes = VectorMath.V;
        int n = ((EDGES.length + 8001 + lanes - 1) / lanes) * lanes;
        float[] in = new float[n];
        System.arraycopy(EDGES, 0, in, 0, EDGES.length);
        for (int i = EDGES.length; i < n; i++) {
            in[i] = -100f + (i - EDGES.length) * 0.025f;
        }
        return in;
    }

    private static void assertLanesMatch(String name, UnaryOperator<FloatVector> vector, Function<Float, Float> scalar) {
        float[] in = inputs();
        float[] out = new float[in.length];
        for (int round = 0; round < 300; round++) { // later rounds run C2's code
            for (int i = 0; i < in.length; i += VectorMath.V) {
                vector.apply(FloatVector.fromArray(VectorMath.S, in, i)).intoArray(out, i);
            }
            if (round == 0 || round == 299) {
                for (int i = 0; i < in.length; i++) {
                    assertEquals(Float.floatToIntBits(scalar.apply(in[i])), Float.floatToIntBits(out[i]),
                            name + "(" + in[i] + ") in round " + round);
                }
            }
        }
    }

    @Test
    void expLanesGiveTheScalarBits() {
        assertLanesMatch("exp", VectorMath::exp, FloatMath::exp);
    }

    @Test
    void tanhLanesGiveTheScalarBits() {
        assertLanesMatch("tanh", VectorMath::tanh, FloatMath::tanh);
    }

    @Test
    void sigmoidLanesGiveTheScalarBits() {
        assertLanesMatch("sigmoid", VectorMath::sigmoid, FloatMath::sigmoid);
    }
}
