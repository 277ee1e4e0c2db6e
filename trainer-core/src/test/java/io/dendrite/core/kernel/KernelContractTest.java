package io.dendrite.core.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.dendrite.core.util.Rng;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every kernel against a straightforward double-precision reference, on awkward sizes, with a tolerance
 * that grows with the length of the sums (float32 rounding grows about with √K; the bound allows K).
 */
class KernelContractTest {
    private static final int[] SIZES = {1, 3, 7, 8, 13, 31, 64, 257};

    static Stream<Arguments> shapes() {
        List<Arguments> out = new ArrayList<>();
        for (Kernel kernel : List.of(new ScalarKernel(), Kernels.get())) {
            for (int m : new int[] {1, 7, 33}) {
                for (int k : SIZES) {
                    for (int n : new int[] {1, 8, 13, 64}) {
                        out.add(Arguments.of(kernel, m, k, n));
                    }
                }
            }
        }
        return out.stream();
    }

    private static float[] random(int len, Rng rng) {
        float[] a = new float[len];
        for (int i = 0; i < len; i++) {
            a[i] = (float) rng.nextGaussian();
        }
        return a;
    }

    private static float tol(int sumLength, double magnitude) {
        return (float) (1e-6 * sumLength * Math.max(1, magnitude) + 1e-6);
    }

    @ParameterizedTest(name = "{0} m={1} k={2} n={3}")
    @MethodSource("shapes")
    void denseForwardAndBackwardMatchReference(Kernel kernel, int m, int k, int n) {
        Rng rng = new Rng(m * 1_000_003L + k * 1009L + n);
        int xOff = 5;
        float[] x = random(xOff + m * k, rng);
        int wOff = 3;
        float[] params = random(wOff + k * n + n, rng);
        int bOff = wOff + k * n;
        Activation act = Activation.TANH;
        float[] out = new float[m * n];
        float[] pre = new float[m * n];
        kernel.denseForward(m, k, n, x, xOff, params, wOff, bOff, pre, out, act);
        double[] z = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = params[bOff + j];
                for (int p = 0; p < k; p++) {
                    s += (double) x[xOff + i * k + p] * params[wOff + p * n + j];
                }
                z[i * n + j] = s;
                assertEquals(s, pre[i * n + j], tol(k, Math.abs(s)), "pre-activation " + i + "," + j);
                assertEquals(Math.tanh(s), out[i * n + j], tol(k, 1), "output " + i + "," + j);
            }
        }

        float[] delta = random(m * n, rng);
        double[] dz = new double[m * n];
        for (int i = 0; i < m * n; i++) {
            dz[i] = delta[i] * (1 - (double) out[i] * out[i]);
        }
        float[] grad = new float[params.length];
        float[] dx = new float[m * k];
        kernel.denseBackward(m, k, n, x, xOff, params, wOff, pre, out, act, delta, grad, wOff, bOff, dx);
        for (int p = 0; p < k; p++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int i = 0; i < m; i++) {
                    s += x[xOff + i * k + p] * dz[i * n + j];
                }
                assertEquals(s, grad[wOff + p * n + j], tol(m, Math.abs(s)), "dW " + p + "," + j);
            }
        }
        for (int j = 0; j < n; j++) {
            double s = 0;
            for (int i = 0; i < m; i++) {
                s += dz[i * n + j];
            }
            assertEquals(s, grad[bOff + j], tol(m, Math.abs(s)), "db " + j);
        }
        for (int i = 0; i < m; i++) {
            for (int p = 0; p < k; p++) {
                double s = 0;
                for (int j = 0; j < n; j++) {
                    s += dz[i * n + j] * params[wOff + p * n + j];
                }
                assertEquals(s, dx[i * k + p], tol(n, Math.abs(s)), "dX " + i + "," + p);
            }
        }
        assertEquals(0f, grad[0], "nothing written before the layer's offset");
    }
}
