package io.dendrite.core.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.dendrite.core.util.Rng;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every GEMM set of the vector kernel against the scalar kernel on awkward sizes (1, 3, 7, 8, 13, 31, 64,
 * 255, 257, 1023 and batch tails that are not a multiple of the row blocks), with a tolerance that grows
 * with the length of each sum: the sets with FMA differ from the scalar kernel in rounding. A set this
 * JVM cannot run with vector instructions is skipped, saying why; the build runs these tests again in
 * JVMs limited to 256-bit and 128-bit vectors ({@code -XX:UseAVX=2}, {@code -XX:UseAVX=0}).
 */
class VectorParityTest {
    private static final int[] SIZES = {1, 3, 7, 8, 13, 31, 64, 255, 257, 1023};
    private static final ScalarKernel SCALAR = new ScalarKernel();

    /** The kernel on {@code set}, or the test is skipped with the reason. */
    static Kernel requireSet(String set) {
        assumeTrue(!Kernels.vectorSets().isEmpty(), "skipped: the vector kernel needs --add-modules "
                + "jdk.incubator.vector, which this JVM was not started with");
        Kernel kernel = Kernels.vector(set);
        assumeTrue(kernel != null, "skipped set " + set + ": " + Kernels.whyNotVector(set));
        return kernel;
    }

    /** Every set's name (the vector module present or not, so that skips are reported). */
    static List<String> setIds() {
        List<String> ids = Kernels.vectorSets();
        return ids.isEmpty() ? List.of("512x32", "256x16", "128x32", "128x16", "128x16m") : ids;
    }

    static Stream<Arguments> shapes() {
        List<Arguments> out = new ArrayList<>();
        for (String set : setIds()) {
            for (int k : SIZES) {
                for (int n : SIZES) {
                    if ((long) k * n <= 300_000) {
                        out.add(Arguments.of(set, k % 7 == 0 ? 13 : 7, k, n));
                    }
                }
            }
            for (int m : new int[] {1, 5, 6, 11, 13, 64, 128}) {
                out.add(Arguments.of(set, m, 64, 64));
            }
        }
        return out.stream();
    }

    static Stream<String> sets() {
        return setIds().stream();
    }

    private static float[] random(int len, Rng rng) {
        float[] a = new float[len];
        for (int i = 0; i < len; i++) {
            a[i] = (float) rng.nextGaussian();
        }
        return a;
    }

    private static void assertClose(float[] expected, float[] actual, int sumLength, String what) {
        for (int i = 0; i < expected.length; i++) {
            float tol = 4e-7f * sumLength * Math.max(1f, Math.abs(expected[i])) + 1e-6f;
            assertEquals(expected[i], actual[i], tol, what + " at " + i);
        }
    }

    @ParameterizedTest(name = "{0} m={1} k={2} n={3}")
    @MethodSource("shapes")
    void denseForwardAndBackward(String set, int m, int k, int n) {
        Kernel vector = requireSet(set);
        for (Activation act : List.of(Activation.RELU, Activation.TANH, Activation.SIGMOID, Activation.GELU,
                Activation.LINEAR, Activation.leakyRelu(0.1f))) {
            Rng rng = new Rng(31L * m + 7L * k + n);
            float[] x = random(2 + m * k, rng);
            float[] params = random(3 + k * n + n, rng);
            float[] delta = random(m * n, rng);
            float[] grad0 = random(params.length, rng);
            float[][] out = new float[2][m * n];
            float[][] pre = new float[2][m * n];
            float[][] deltas = {delta.clone(), delta.clone()};
            float[][] grads = {grad0.clone(), grad0.clone()};
            float[][] dx = new float[2][m * k];
            Kernel[] kernels = {SCALAR, vector};
            for (int v = 0; v < 2; v++) {
                kernels[v].denseForward(m, k, n, x, 2, params, 3, 3 + k * n, act.needsPreActivation() ? pre[v] : null,
                        out[v], act);
            }
            for (int v = 0; v < 2; v++) {
                // Both backward passes start from the scalar forward, so each pass is compared on its own.
                kernels[v].denseBackward(m, k, n, x, 2, params, 3, act.needsPreActivation() ? pre[0] : null, out[0],
                        act, deltas[v], grads[v], 3, 3 + k * n, dx[v]);
            }
            String at = set + " " + act.id() + " m=" + m + " k=" + k + " n=" + n + ": ";
            assertClose(out[0], out[1], k, at + "forward");
            assertClose(deltas[0], deltas[1], k, at + "dZ");
            assertClose(grads[0], grads[1], m, at + "weight and bias gradient");
            assertClose(dx[0], dx[1], n, at + "input gradient");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sets")
    void softmaxCrossEntropyOnAwkwardWidths(String set) {
        Kernel vector = requireSet(set);
        for (int n : new int[] {2, 3, 10, 16, 17, 31, 64, 257}) {
            for (int tw : new int[] {1, n}) {
                Rng rng = new Rng(n);
                int m = 9;
                float[] logits = random(m * n, rng);
                logits[0] = 90f; // large logits stay finite
                float[] targets = new float[m * tw];
                for (int i = 0; i < m; i++) {
                    if (tw == 1) {
                        targets[i] = rng.nextInt(n);
                    } else {
                        targets[i * n + rng.nextInt(n)] = 1f;
                    }
                }
                float[][] grad = new float[2][m * n];
                long[][] correct = new long[2][1];
                double s = SCALAR.softmaxCrossEntropy(m, n, logits, targets, 0, tw, grad[0], correct[0]);
                double v = vector.softmaxCrossEntropy(m, n, logits, targets, 0, tw, grad[1], correct[1]);
                assertEquals(s, v, 1e-5 * Math.max(1, Math.abs(s)), "loss n=" + n);
                assertEquals(correct[0][0], correct[1][0], "correct count n=" + n);
                assertClose(grad[0], grad[1], n, "gradient n=" + n);
                float[][] soft = {logits.clone(), logits.clone()};
                SCALAR.activateInPlace(m, n, soft[0], 0, Activation.SOFTMAX);
                vector.activateInPlace(m, n, soft[1], 0, Activation.SOFTMAX);
                assertClose(soft[0], soft[1], n, "softmax n=" + n);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sets")
    void elementWiseOperations(String set) {
        Kernel vector = requireSet(set);
        for (int len : SIZES) {
            Rng rng = new Rng(len);
            float[] x = random(len + 4, rng);
            float[][] y = {random(len + 4, rng), null};
            y[1] = y[0].clone();
            SCALAR.axpy(len, 0.3f, x, 4, y[0], 4);
            vector.axpy(len, 0.3f, x, 4, y[1], 4);
            assertClose(y[0], y[1], 1, "axpy len " + len);
            SCALAR.scaleInPlace(len, -1.5f, y[0], 2);
            vector.scaleInPlace(len, -1.5f, y[1], 2);
            assertClose(y[0], y[1], 1, "scale len " + len);
            assertEquals(SCALAR.sumOfSquares(len, x, 1), vector.sumOfSquares(len, x, 1), 1e-6 * len, "sum of squares");

            float[][] p = {random(len, rng), null};
            p[1] = p[0].clone();
            float[] g = random(len, rng);
            float[][] m = {new float[len], new float[len]};
            float[][] v = {new float[len], new float[len]};
            for (int step = 0; step < 3; step++) {
                SCALAR.adamUpdate(len, p[0], g, m[0], v[0], 0.9f, 0.999f, 0.01f, 0.03f, 1e-8f);
                vector.adamUpdate(len, p[1], g, m[1], v[1], 0.9f, 0.999f, 0.01f, 0.03f, 1e-8f);
            }
            assertClose(p[0], p[1], 4, "adam len " + len);
        }
    }
}
