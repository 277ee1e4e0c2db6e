package io.dendrite.core.kernel.vector;

import static io.dendrite.core.kernel.vector.MicroKernels.S;
import static io.dendrite.core.kernel.vector.MicroKernels.V;

import io.dendrite.core.kernel.Kernel;
import io.dendrite.core.kernel.ScalarKernel;
import io.dendrite.core.nn.Activation;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * The kernel on the JDK Vector API: register-blocked GEMM ({@link MicroKernels}, 6 rows × 4 vectors of
 * C in registers, one broadcast A value per row and step) for all three forms training needs, with the
 * bias and ReLU fused into the forward output pass, the activation derivative and the bias gradient
 * fused into one pass over {@code dZ}, and vectorised element-wise updates. Tails narrower than a vector
 * run scalar loops rather than masked operations, which are slow on JDK 17.
 *
 * <p>Loaded by name from {@link io.dendrite.core.kernel.Kernels} only when the module is present.
 */
public final class VectorKernel implements Kernel {
    private static final int BLOCK_COLS = 4 * V;
    private static final ScalarKernel SCALAR = new ScalarKernel();
    /** Packed Wᵀ panels for {@code dZ·Wᵀ}, one buffer per thread that runs the kernel. */
    private static final ThreadLocal<float[]> PANEL = ThreadLocal.withInitial(() -> new float[0]);

    /** The width in bits of the vectors this kernel uses. */
    public static int vectorBits() {
        return S.vectorBitSize();
    }

    @Override
    public String name() {
        return "vector-" + S.vectorBitSize();
    }

    /**
     * {@code C[m×n] (+)= A·B} with A read through strides ({@code A[r][t] = a[aOff + r·aRow + t·aK]}) and B
     * row-major with row stride {@code bK}; C starts from the bias row when given.
     */
    static void gemm(int m, int n, int kLen, float[] a, int aOff, int aRow, int aK, float[] b, int bOff, int bK,
                     float[] c, int cOff, int cRow, float[] bias, int biasOff, boolean accumulate, boolean relu) {
        int j = 0;
        for (; j + BLOCK_COLS <= n; j += BLOCK_COLS) {
            int i = 0;
            for (; i + 6 <= m; i += 6) {
                MicroKernels.mk6x4(kLen, a, aOff + i * aRow, aRow, aK, b, bOff + j, bK, c, cOff + i * cRow + j, cRow,
                        bias, biasOff + j, accumulate, relu);
            }
            for (; i < m; i++) {
                MicroKernels.mk1x4(kLen, a, aOff + i * aRow, aRow, aK, b, bOff + j, bK, c, cOff + i * cRow + j, cRow,
                        bias, biasOff + j, accumulate, relu);
            }
        }
        for (; j + V <= n; j += V) {
            int i = 0;
            for (; i + 8 <= m; i += 8) {
                MicroKernels.mk8x1(kLen, a, aOff + i * aRow, aRow, aK, b, bOff + j, bK, c, cOff + i * cRow + j, cRow,
                        bias, biasOff + j, accumulate, relu);
            }
            for (; i < m; i++) {
                MicroKernels.mk1x1(kLen, a, aOff + i * aRow, aRow, aK, b, bOff + j, bK, c, cOff + i * cRow + j, cRow,
                        bias, biasOff + j, accumulate, relu);
            }
        }
        for (; j < n; j++) {
            for (int i = 0; i < m; i++) {
                float s = bias == null ? 0f : bias[biasOff + j];
                int ai = aOff + i * aRow;
                for (int t = 0; t < kLen; t++) {
                    s = Math.fma(a[ai + t * aK], b[bOff + t * bK + j], s);
                }
                int ci = cOff + i * cRow + j;
                s = accumulate ? s + c[ci] : s;
                c[ci] = relu ? Math.max(0f, s) : s;
            }
        }
    }

    @Override
    public void denseForward(int m, int k, int n, float[] x, int xOff, float[] params, int wOff, int bOff,
                             float[] preAct, float[] out, Activation act) {
        boolean relu = act.kind() == Activation.Kind.RELU && preAct == null;
        gemm(m, n, k, x, xOff, k, 1, params, wOff, n, out, 0, n, params, bOff, false, relu);
        if (preAct != null) {
            System.arraycopy(out, 0, preAct, 0, m * n);
        }
        if (!relu && act.kind() != Activation.Kind.LINEAR) {
            activateInPlace(m, n, out, 0, act);
        }
    }

    @Override
    public void denseBackward(int m, int k, int n, float[] x, int xOff, float[] params, int wOff,
                              float[] preAct, float[] out, Activation act, float[] delta,
                              float[] grad, int gwOff, int gbOff, float[] dx) {
        derivativeAndBiasGradient(m, n, act, preAct, out, delta, grad, gbOff);
        // gW[k×n] += Xᵀ·dZ: A = Xᵀ read through strides, B = dZ.
        gemm(k, n, m, x, xOff, 1, k, delta, 0, n, grad, gwOff, n, null, 0, true, false);
        if (dx != null) {
            inputGradient(m, k, n, params, wOff, delta, dx);
        }
    }

    /** {@code dx[m×k] = dZ[m×n]·Wᵀ}, packing {@code Wᵀ} one panel of output columns at a time. */
    private static void inputGradient(int m, int k, int n, float[] params, int wOff, float[] delta, float[] dx) {
        float[] panel = PANEL.get();
        if (panel.length < n * BLOCK_COLS) {
            panel = new float[n * BLOCK_COLS];
            PANEL.set(panel);
        }
        for (int p = 0; p < k; p += BLOCK_COLS) {
            int width = Math.min(BLOCK_COLS, k - p);
            for (int c = 0; c < width; c++) {
                int w = wOff + (p + c) * n;
                for (int j = 0; j < n; j++) {
                    panel[j * width + c] = params[w + j];
                }
            }
            gemm(m, width, n, delta, 0, n, 1, panel, 0, width, dx, p, k, null, 0, false, false);
        }
    }

    /** {@code dZ = delta ⊙ f'(z)} in place, and {@code gb += colsum(dZ)}, in one pass over the rows. */
    private static void derivativeAndBiasGradient(int m, int n, Activation act, float[] preAct, float[] out,
                                                  float[] delta, float[] grad, int gbOff) {
        Activation.Kind kind = act.kind();
        boolean vectorDerivative = kind == Activation.Kind.LINEAR || kind == Activation.Kind.RELU
                || kind == Activation.Kind.SIGMOID || kind == Activation.Kind.TANH;
        if (!vectorDerivative) {
            for (int i = 0; i < m * n; i++) {
                delta[i] *= act.derivative(preAct == null ? 0f : preAct[i], out[i]);
            }
        }
        FloatVector zero = FloatVector.zero(S);
        FloatVector one = FloatVector.broadcast(S, 1f);
        int nv = n - n % V;
        for (int i = 0; i < m; i++) {
            int row = i * n;
            for (int j = 0; j < nv; j += V) {
                FloatVector d = FloatVector.fromArray(S, delta, row + j);
                if (vectorDerivative && kind != Activation.Kind.LINEAR) {
                    FloatVector a = FloatVector.fromArray(S, out, row + j);
                    d = switch (kind) {
                        case RELU -> d.blend(zero, a.compare(VectorOperators.LE, 0f));
                        case SIGMOID -> d.mul(a.mul(one.sub(a)));
                        default -> d.mul(one.sub(a.mul(a)));
                    };
                    d.intoArray(delta, row + j);
                }
                d.add(FloatVector.fromArray(S, grad, gbOff + j)).intoArray(grad, gbOff + j);
            }
            for (int j = nv; j < n; j++) {
                if (vectorDerivative) {
                    float a = out[row + j];
                    delta[row + j] = switch (kind) {
                        case LINEAR -> delta[row + j];
                        case RELU -> a > 0 ? delta[row + j] : 0f;
                        case SIGMOID -> delta[row + j] * (a * (1f - a));
                        default -> delta[row + j] * (1f - a * a);
                    };
                }
                grad[gbOff + j] += delta[row + j];
            }
        }
    }

    @Override
    public void activateInPlace(int m, int n, float[] z, int off, Activation act) {
        if (act.kind() != Activation.Kind.RELU) {
            SCALAR.activateInPlace(m, n, z, off, act);
            return;
        }
        int len = m * n;
        int lv = len - len % V;
        for (int i = 0; i < lv; i += V) {
            FloatVector.fromArray(S, z, off + i).lanewise(VectorOperators.MAX, 0f).intoArray(z, off + i);
        }
        for (int i = lv; i < len; i++) {
            z[off + i] = Math.max(0f, z[off + i]);
        }
    }

    @Override
    public double softmaxCrossEntropy(int m, int n, float[] logits, float[] targets, int tOff, int targetWidth,
                                      float[] grad, long[] correct) {
        return SoftmaxCrossEntropy.compute(m, n, logits, targets, tOff, targetWidth, grad, correct);
    }

    @Override
    public void axpy(int len, float alpha, float[] x, int xOff, float[] y, int yOff) {
        int lv = len - len % V;
        for (int i = 0; i < lv; i += V) {
            FloatVector.fromArray(S, x, xOff + i).fma(FloatVector.broadcast(S, alpha), FloatVector.fromArray(S, y, yOff + i))
                    .intoArray(y, yOff + i);
        }
        for (int i = lv; i < len; i++) {
            y[yOff + i] = Math.fma(alpha, x[xOff + i], y[yOff + i]);
        }
    }

    @Override
    public void scaleInPlace(int len, float alpha, float[] x, int off) {
        int lv = len - len % V;
        for (int i = 0; i < lv; i += V) {
            FloatVector.fromArray(S, x, off + i).mul(alpha).intoArray(x, off + i);
        }
        for (int i = lv; i < len; i++) {
            x[off + i] *= alpha;
        }
    }

    @Override
    public double sumOfSquares(int len, float[] x, int off) {
        // Partial sums per block of 1024 in float vectors, carried across blocks in double.
        double total = 0;
        for (int start = 0; start < len; start += 1024) {
            int end = Math.min(len, start + 1024);
            int ev = end - (end - start) % V;
            FloatVector acc = FloatVector.zero(S);
            for (int i = start; i < ev; i += V) {
                FloatVector v = FloatVector.fromArray(S, x, off + i);
                acc = v.fma(v, acc);
            }
            total += acc.reduceLanes(VectorOperators.ADD);
            for (int i = ev; i < end; i++) {
                total += (double) x[off + i] * x[off + i];
            }
        }
        return total;
    }

    @Override
    public void adamUpdate(int len, float[] params, float[] grad, float[] m, float[] v, float beta1, float beta2,
                           float stepSize, float sqrtBiasCorrection2, float eps) {
        float oneMinusB1 = 1f - beta1;
        float oneMinusB2 = 1f - beta2;
        float invSqrtBc2 = 1f / sqrtBiasCorrection2;
        int lv = len - len % V;
        for (int i = 0; i < lv; i += V) {
            FloatVector g = FloatVector.fromArray(S, grad, i);
            FloatVector mi = FloatVector.fromArray(S, m, i).mul(beta1).add(g.mul(oneMinusB1));
            FloatVector vi = FloatVector.fromArray(S, v, i).mul(beta2).add(g.mul(g).mul(oneMinusB2));
            mi.intoArray(m, i);
            vi.intoArray(v, i);
            FloatVector denom = vi.lanewise(VectorOperators.SQRT).mul(invSqrtBc2).add(eps);
            FloatVector.fromArray(S, params, i).sub(mi.mul(stepSize).div(denom)).intoArray(params, i);
        }
        for (int i = lv; i < len; i++) {
            float g = grad[i];
            m[i] = beta1 * m[i] + oneMinusB1 * g;
            v[i] = beta2 * v[i] + oneMinusB2 * g * g;
            params[i] -= stepSize * m[i] / ((float) Math.sqrt(v[i]) * invSqrtBc2 + eps);
        }
    }
}
