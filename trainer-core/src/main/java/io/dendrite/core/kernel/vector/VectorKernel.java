package io.dendrite.core.kernel.vector;

import static io.dendrite.core.kernel.vector.VectorMath.S;
import static io.dendrite.core.kernel.vector.VectorMath.V;

import io.dendrite.core.kernel.Activation;
import io.dendrite.core.kernel.FloatMath;
import io.dendrite.core.kernel.Kernel;
import io.dendrite.core.kernel.ScalarKernel;
import java.util.List;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * The kernel on the JDK Vector API: register-blocked GEMM from one {@link GemmSet} chosen for the machine's
 * vector width and register file (for all three forms training needs, with the bias and ReLU fused into
 * the forward output pass), the activation derivative and the bias gradient fused into one pass over
 * {@code dZ}, and vectorised element-wise passes on the JVM's preferred species. Every operation gives
 * the same bits interpreted or compiled: {@code exp}, {@code tanh} and the logistic function are our own
 * ({@link VectorMath}), and no floating-point sum runs through {@code reduceLanes}, whose order is
 * unspecified. Element-wise tails narrower than a vector run scalar loops with the same arithmetic rather
 * than masked operations, which are slow on JDK 17.
 *
 * <p>Loaded by name from {@link io.dendrite.core.kernel.Kernels} only when the module is present.
 */
public final class VectorKernel implements Kernel {
    private static final ScalarKernel SCALAR = new ScalarKernel();
    private static final float NO_FLOOR = GemmSet.NO_FLOOR;
    /** Lanes of the partial sums of {@link #sumOfSquares}: the widest vector, so no width changes its bits. */
    private static final int SUM_LANES = Math.max(16, V);
    private static final ThreadLocal<float[]> PARTIALS = ThreadLocal.withInitial(() -> new float[SUM_LANES]);
    private final GemmSet gemm;

    private VectorKernel(GemmSet gemm) {
        this.gemm = gemm;
    }

    /**
     * The kernel on GEMM set {@code id} (one of {@link GemmSet#IDS}), or {@code null} when this JVM's
     * vectors are narrower than the set needs.
     */
    public static Kernel forSet(String id) {
        GemmSet set = GemmSet.of(id);
        return set == null ? null : new VectorKernel(set);
    }

    /** Every GEMM set's name, widest first. */
    public static List<String> sets() {
        return GemmSet.IDS;
    }

    /** The width in bits of the JVM's preferred float vectors. */
    public static int vectorBits() {
        return S.vectorBitSize();
    }

    /** The widest vectors this JVM runs with vector instructions, in bits. */
    public static int maxVectorBits() {
        return FloatVector.SPECIES_MAX.vectorBitSize();
    }

    /**
     * The set for this machine: its preferred vector width, {@code registers} vector registers, and
     * whether it has FMA. {@code null} below 128 bits.
     */
    public static String setFor(int bits, int registers, boolean fma) {
        if (bits >= 512 && fma) {
            return "512x32";
        } else if (bits >= 256 && fma) {
            return "256x16";
        } else if (bits >= 128) {
            return fma ? (registers >= 32 ? "128x32" : "128x16") : "128x16m";
        }
        return null;
    }

    @Override
    public String name() {
        return "vector-" + gemm.id();
    }

    /** The name with the register blocking, e.g. {@code vector-256x16 (4x3 blocks)}, for the start-up line. */
    public String description() {
        return name() + " (" + gemm.blocks() + (gemm.fma() ? "" : ", multiply then add") + ")";
    }

    @Override
    public void denseForward(int m, int k, int n, float[] x, int xOff, float[] params, int wOff, int bOff,
                             float[] preAct, float[] out, Activation act) {
        boolean relu = act.kind() == Activation.Kind.RELU && preAct == null;
        gemm.gemm(m, n, k, x, xOff, k, 1, params, wOff, n, out, 0, n, params, bOff, 0, relu ? 0f : NO_FLOOR);
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
        gemm.gemm(m, n, k, x, xOff, k, 1, w, wOff, n, out, 0, n, GemmSet.zeros(n), 0, 0, NO_FLOOR);
    }

    /**
     * {@code gW[k×n] += Xᵀ·dZ}: A is {@code Xᵀ}, read through strides; B is {@code dZ}. When {@code n} is
     * narrower than a wide block and {@code k} is not, the same sums run as {@code gWᵀ[n×k] += dZᵀ·X} instead
     * (A is {@code dZᵀ} through strides, B is {@code X} as it is), so that the wide blocks run along {@code k}:
     * each element still adds the products of the same pairs in the same order, and a product's factors
     * commute, so the bits are the same. {@code gW} is transposed into a buffer and back, {@code 2·k·n}
     * copies against {@code 2·m·k·n} flops. The classifier's 256×10 weight gradient at 256 rows went from 42.5
     * to 85.5 GFLOPS on AVX-512, where its 10 columns had filled 10 of a vector's 16 lanes.
     */
    @Override
    public void gemmXtDzAccumulate(int m, int k, int n, float[] x, int xOff, float[] dz, float[] g, int gOff) {
        int wide = gemm.blockCols();
        if (n < wide && k >= wide) {
            float[] gt = GemmSet.transposed(n * k);
            GemmSet.transpose(k, n, g, gOff, gt, 0);
            gemm.gemm(n, k, m, dz, 0, 1, n, x, xOff, k, gt, 0, k, gt, 0, k, NO_FLOOR);
            GemmSet.transpose(n, k, gt, 0, g, gOff);
        } else {
            gemm.gemmStridedA(k, n, m, x, xOff, k, dz, 0, n, g, gOff, n, g, gOff, n, NO_FLOOR);
        }
    }

    /** {@code dx[m×k] = dZ·Wᵀ}, packing {@code Wᵀ} one panel of output columns at a time. */
    @Override
    public void gemmDzWt(int m, int k, int n, float[] delta, float[] params, int wOff, float[] dx) {
        gemm.gemmDzWt(m, k, n, delta, params, wOff, dx);
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
                    int rv = VectorMath.FLOAT_COMPARES ? nv : 0;
                    for (int j = 0; j < rv; j += V) {
                        FloatVector d = FloatVector.fromArray(S, delta, row + j);
                        d.blend(zero, FloatVector.fromArray(S, out, row + j).compare(VectorOperators.LE, 0f))
                                .intoArray(delta, row + j);
                    }
                    for (int j = rv; j < n; j++) {
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
        switch (act.kind()) {
            case RELU -> {
                int len = m * n;
                int lv = VectorMath.FLOAT_COMPARES ? len - len % V : 0;
                for (int i = 0; i < lv; i += V) {
                    FloatVector.fromArray(S, z, off + i).lanewise(VectorOperators.MAX, 0f).intoArray(z, off + i);
                }
                for (int i = lv; i < len; i++) {
                    z[off + i] = z[off + i] > 0 ? z[off + i] : 0f;
                }
            }
            case SIGMOID -> {
                int len = m * n;
                int lv = VectorMath.FLOAT_COMPARES ? len - len % V : 0;
                for (int i = 0; i < lv; i += V) {
                    VectorMath.sigmoid(FloatVector.fromArray(S, z, off + i)).intoArray(z, off + i);
                }
                for (int i = lv; i < len; i++) {
                    z[off + i] = FloatMath.sigmoid(z[off + i]);
                }
            }
            case TANH -> {
                int len = m * n;
                int lv = VectorMath.FLOAT_COMPARES ? len - len % V : 0;
                for (int i = 0; i < lv; i += V) {
                    VectorMath.tanh(FloatVector.fromArray(S, z, off + i)).intoArray(z, off + i);
                }
                for (int i = lv; i < len; i++) {
                    z[off + i] = FloatMath.tanh(z[off + i]);
                }
            }
            case SOFTMAX -> {
                for (int i = 0; i < m; i++) {
                    SoftmaxCrossEntropy.softmaxRow(z, off + i * n, n);
                }
            }
            default -> SCALAR.activateInPlace(m, n, z, off, act);
        }
    }

    @Override
    public double softmaxCrossEntropy(int m, int n, float[] logits, float[] targets, int tOff, int targetWidth,
                                      float[] grad, long[] correct) {
        return SoftmaxCrossEntropy.compute(m, n, logits, targets, tOff, targetWidth, grad, correct);
    }

    /** A multiply then an add, not FMA: the same bits on every machine, and fast on those without FMA. */
    @Override
    public void axpy(int len, float alpha, float[] x, int xOff, float[] y, int yOff) {
        int lv = len - len % V;
        for (int i = 0; i < lv; i += V) {
            FloatVector.fromArray(S, x, xOff + i).mul(alpha).add(FloatVector.fromArray(S, y, yOff + i))
                    .intoArray(y, yOff + i);
        }
        for (int i = lv; i < len; i++) {
            y[yOff + i] += alpha * x[xOff + i];
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

    /**
     * Squares summed into 16 float partial sums by index modulo 16 (as many vectors as that takes; more only
     * on vectors wider than 512 bits), per block of 1024, each block's partials added in lane order in double.
     * The order is fixed and the same for every vector width up to 512 bits.
     */
    @Override
    public double sumOfSquares(int len, float[] x, int off) {
        float[] partials = PARTIALS.get();
        double total = 0;
        for (int start = 0; start < len; start += 1024) {
            int end = Math.min(len, start + 1024);
            int ev = end - (end - start) % SUM_LANES;
            java.util.Arrays.fill(partials, 0f);
            for (int i = start; i < ev; i += SUM_LANES) {
                for (int l = 0; l < SUM_LANES; l += V) {
                    FloatVector v = FloatVector.fromArray(S, x, off + i + l);
                    v.mul(v).add(FloatVector.fromArray(S, partials, l)).intoArray(partials, l);
                }
            }
            for (int l = 0; l < SUM_LANES; l++) {
                total += partials[l];
            }
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
