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
 * C in registers, or 12 rows × 1 vector for narrow outputs, with smaller kernels for the rows left; one
 * broadcast A value per row and step) for all three forms training needs, with the bias and ReLU fused
 * into the forward output pass, the activation derivative and the bias gradient fused into one pass over
 * {@code dZ}, and vectorised element-wise updates. Tails narrower than a vector run scalar loops rather
 * than masked operations, which are slow on JDK 17.
 *
 * <p>Loaded by name from {@link io.dendrite.core.kernel.Kernels} only when the module is present.
 */
public final class VectorKernel implements Kernel {
    private static final int BLOCK_COLS = 4 * V;
    private static final ScalarKernel SCALAR = new ScalarKernel();
    /** Packed Wᵀ panels for {@code dZ·Wᵀ}, one buffer per thread that runs the kernel. */
    private static final ThreadLocal<float[]> PANEL = ThreadLocal.withInitial(() -> new float[0]);
    private static final ThreadLocal<float[]> ZEROS = ThreadLocal.withInitial(() -> new float[0]);
    private static final float NO_FLOOR = Float.NEGATIVE_INFINITY;
    /** Columns of W per tile of the transposing pack: 64 × 64 floats of panel stay in L1 while written. */
    private static final int PACK_TILE = 64;

    /** The width in bits of the vectors this kernel uses. */
    public static int vectorBits() {
        return S.vectorBitSize();
    }

    @Override
    public String name() {
        return "vector-" + S.vectorBitSize();
    }

    /**
     * {@code C[m×n] = max(init + A·B, floor)} with A read through strides
     * ({@code A[r][t] = a[aOff + r·aRow + t·aK]}), B row-major with row stride {@code bK}, and the starting
     * value of row {@code r} at {@code init[initOff + r·initRow]}.
     */
    static void gemm(int m, int n, int kLen, float[] a, int aOff, int aRow, int aK, float[] b, int bOff, int bK,
                     float[] c, int cOff, int cRow, float[] init, int initOff, int initRow, float floor) {
        if (n >= BLOCK_COLS && (bK <= 0 || (long) bOff + (long) kLen * bK > Integer.MAX_VALUE)) {
            // The 4-vector kernels step B's offset up to bOff + kLen·bK; that end must be reachable.
            throw new IllegalArgumentException("B of " + kLen + " rows of stride " + bK + " from offset " + bOff
                    + ": expected a positive stride and an end offset within an int");
        }
        int j = 0;
        for (; j + BLOCK_COLS <= n; j += BLOCK_COLS) {
            MicroKernels.rows4(m, kLen, a, aOff, aRow, aK, b, bOff + j, bK, c, cOff + j, cRow, init, initOff + j,
                    initRow, floor);
        }
        for (; j + V <= n; j += V) {
            MicroKernels.rows1(m, kLen, a, aOff, aRow, aK, b, bOff + j, bK, c, cOff + j, cRow, init, initOff + j,
                    initRow, floor);
        }
        for (; j < n; j++) {
            for (int i = 0; i < m; i++) {
                float s = init[initOff + i * initRow + j];
                int ai = aOff + i * aRow;
                for (int t = 0; t < kLen; t++) {
                    s = Math.fma(a[ai + t * aK], b[bOff + t * bK + j], s);
                }
                c[cOff + i * cRow + j] = Math.max(s, floor);
            }
        }
    }

    /** Zeros to start from, long enough for any block ({@code initRow = 0}, offset below a block's width). */
    private static float[] zeros(int n) {
        float[] z = ZEROS.get();
        if (z.length < n) {
            z = new float[n];
            ZEROS.set(z);
        }
        return z;
    }

    @Override
    public void denseForward(int m, int k, int n, float[] x, int xOff, float[] params, int wOff, int bOff,
                             float[] preAct, float[] out, Activation act) {
        boolean relu = act.kind() == Activation.Kind.RELU && preAct == null;
        gemm(m, n, k, x, xOff, k, 1, params, wOff, n, out, 0, n, params, bOff, 0, relu ? 0f : NO_FLOOR);
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
        gemmXtDzAccumulate(m, k, n, x, xOff, delta, grad, gwOff);
        if (dx != null) {
            gemmDzWt(m, k, n, delta, params, wOff, dx);
        }
    }

    @Override
    public void gemmXW(int m, int k, int n, float[] x, int xOff, float[] w, int wOff, float[] out) {
        gemm(m, n, k, x, xOff, k, 1, w, wOff, n, out, 0, n, zeros(n), 0, 0, NO_FLOOR);
    }

    /** {@code gW[k×n] += Xᵀ·dZ}: A is {@code Xᵀ}, read through strides; B is {@code dZ}. */
    @Override
    public void gemmXtDzAccumulate(int m, int k, int n, float[] x, int xOff, float[] dz, float[] g, int gOff) {
        gemm(k, n, m, x, xOff, 1, k, dz, 0, n, g, gOff, n, g, gOff, n, NO_FLOOR);
    }

    /** {@code dx[m×k] = dZ·Wᵀ}, packing {@code Wᵀ} one panel of output columns at a time. */
    @Override
    public void gemmDzWt(int m, int k, int n, float[] delta, float[] params, int wOff, float[] dx) {
        float[] panel = PANEL.get();
        if (panel.length < n * BLOCK_COLS) {
            panel = new float[n * BLOCK_COLS];
            PANEL.set(panel);
        }
        for (int p = 0; p < k; p += BLOCK_COLS) {
            int width = Math.min(BLOCK_COLS, k - p);
            packTransposed(params, wOff + p * n, n, width, panel);
            gemm(m, width, n, delta, 0, n, 1, panel, 0, width, dx, p, k, zeros(width), 0, 0, NO_FLOOR);
        }
    }

    /**
     * {@code panel[j·width + c] = w[base + c·n + j]}: {@code width} rows of W, transposed. Four rows at a
     * time over a tile of {@link #PACK_TILE} columns. Reading all {@code width} rows at once instead (one
     * element of each per output row) puts rows that lie a power of two apart into a few L1 sets, which
     * evict one another: that took 2.7× as long on the 784×256 matrix of {@code DZWT_256x256x784}. A full
     * panel is written through the constant {@link #BLOCK_COLS} so that C2 drops the bounds checks of the
     * stores as well as the loads (about 3% of the whole product on that shape).
     */
    private static void packTransposed(float[] w, int base, int n, int width, float[] panel) {
        if (width == BLOCK_COLS) {
            for (int j0 = 0; j0 < n; j0 += PACK_TILE) {
                int j1 = Math.min(n, j0 + PACK_TILE);
                for (int c = 0; c < BLOCK_COLS; c += 4) {
                    int r0 = base + c * n;
                    int r1 = r0 + n;
                    int r2 = r1 + n;
                    int r3 = r2 + n;
                    for (int j = j0; j < j1; j++) {
                        panel[j * BLOCK_COLS + c] = w[r0 + j];
                        panel[j * BLOCK_COLS + c + 1] = w[r1 + j];
                        panel[j * BLOCK_COLS + c + 2] = w[r2 + j];
                        panel[j * BLOCK_COLS + c + 3] = w[r3 + j];
                    }
                }
            }
            return;
        }
        for (int c = 0; c < width; c++) {
            for (int j = 0, r = base + c * n, o = c; j < n; j++, o += width) {
                panel[o] = w[r + j];
            }
        }
    }

    /**
     * {@code dZ = delta ⊙ f'(z)} in place, and {@code gb += colsum(dZ)}, in one pass over the rows. One loop
     * per activation, with the choice made outside: a vector chosen inside the loop would be boxed.
     */
    private static void derivativeAndBiasGradient(int m, int n, Activation act, float[] preAct, float[] out,
                                                  float[] delta, float[] grad, int gbOff) {
        Activation.Kind kind = act.kind();
        int nv = n - n % V;
        for (int i = 0; i < m; i++) {
            int row = i * n;
            switch (kind) {
                case LINEAR -> { }
                case RELU -> {
                    FloatVector zero = FloatVector.zero(S);
                    for (int j = 0; j < nv; j += V) {
                        FloatVector d = FloatVector.fromArray(S, delta, row + j);
                        d.blend(zero, FloatVector.fromArray(S, out, row + j).compare(VectorOperators.LE, 0f))
                                .intoArray(delta, row + j);
                    }
                    for (int j = nv; j < n; j++) {
                        delta[row + j] = out[row + j] > 0 ? delta[row + j] : 0f;
                    }
                }
                case SIGMOID -> {
                    for (int j = 0; j < nv; j += V) {
                        FloatVector a = FloatVector.fromArray(S, out, row + j);
                        FloatVector.fromArray(S, delta, row + j).mul(a.mul(a.neg().add(1f))).intoArray(delta, row + j);
                    }
                    for (int j = nv; j < n; j++) {
                        delta[row + j] *= out[row + j] * (1f - out[row + j]);
                    }
                }
                case TANH -> {
                    for (int j = 0; j < nv; j += V) {
                        FloatVector a = FloatVector.fromArray(S, out, row + j);
                        FloatVector.fromArray(S, delta, row + j).mul(a.mul(a).neg().add(1f)).intoArray(delta, row + j);
                    }
                    for (int j = nv; j < n; j++) {
                        delta[row + j] *= 1f - out[row + j] * out[row + j];
                    }
                }
                default -> {
                    for (int j = 0; j < n; j++) {
                        delta[row + j] *= act.derivative(preAct == null ? 0f : preAct[row + j], out[row + j]);
                    }
                }
            }
            for (int j = 0; j < nv; j += V) {
                FloatVector.fromArray(S, delta, row + j).add(FloatVector.fromArray(S, grad, gbOff + j))
                        .intoArray(grad, gbOff + j);
            }
            for (int j = nv; j < n; j++) {
                grad[gbOff + j] += delta[row + j];
            }
        }
    }

    @Override
    public void activateInPlace(int m, int n, float[] z, int off, Activation act) {
        Activation.Kind kind = act.kind();
        if (kind != Activation.Kind.RELU && kind != Activation.Kind.SIGMOID && kind != Activation.Kind.TANH) {
            SCALAR.activateInPlace(m, n, z, off, act);
            return;
        }
        int len = m * n;
        int lv = len - len % V;
        for (int i = 0; i < lv; i += V) {
            FloatVector v = FloatVector.fromArray(S, z, off + i);
            switch (kind) {
                case RELU -> v.lanewise(VectorOperators.MAX, 0f).intoArray(z, off + i);
                case SIGMOID -> FloatVector.broadcast(S, 1f).div(v.neg().lanewise(VectorOperators.EXP).add(1f))
                        .intoArray(z, off + i);
                default -> v.lanewise(VectorOperators.TANH).intoArray(z, off + i);
            }
        }
        for (int i = lv; i < len; i++) {
            z[off + i] = act.apply(z[off + i]);
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
            FloatVector.fromArray(S, x, xOff + i)
                    .fma(FloatVector.broadcast(S, alpha), FloatVector.fromArray(S, y, yOff + i))
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
