package io.dendrite.core.kernel;

import io.dendrite.core.util.Rng;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * Runs every operation of the kernel seam on fixed inputs and records a CRC of each result's raw float
 * bits. Run in a fresh JVM (its {@code main}), it fingerprints a kernel's cold, interpreted or C1-compiled
 * code; in a warmed test JVM, its C2-compiled code. Equal fingerprints mean equal bits.
 *
 * <p>Shapes: 13 rows (a 12- or 6-row block, then remainders; 8 rows then 5 in the scalar tail), 37 inputs,
 * and 158 outputs: on the 512-bit set two wide blocks of 64, then 30 columns as two vectors, the second
 * padded (on the 256-bit set six blocks of 24, then 14 as two vectors). A layer of 191 outputs leaves 63
 * columns after the 512-bit set's blocks: two vectors, one, then 15 padded to one (on the 256-bit set 23:
 * two vectors, then 7 padded). So every kernel and tail runs in every set. A narrow layer of 70 inputs and
 * 6 outputs takes the transposed weight gradient ({@code gWᵀ += dZᵀ·X}) on every set, the
 * multiply-then-add set's 8-column blocks included. A layer of 530 inputs and 52 outputs has rows of X far
 * enough apart that the 16-register sets pack its rows into panels for the weight gradient (two rows left
 * after the full panels of 4, 8 or 12, and 4 columns after the wide blocks, read from X as it is).
 */
public final class KernelFingerprint {
    private static final int M = 13;
    private static final int K = 37;
    private static final int N = 158;
    /** Inputs of the narrow layer: at least one wide block of every set (64 columns on 512 bits). */
    private static final int NARROW_K = 70;
    /** Outputs of the narrow layer: fewer than one wide block of every set (8 columns on 128x16m). */
    private static final int NARROW_N = 6;
    /** Inputs of the layer whose weight gradient packs X's rows: at least the vector sets' PACKED_A_STRIDE. */
    private static final int PACKED_K = 530;
    /** Outputs of that layer: two wide blocks or more on the 16-register sets, and 4 columns more. */
    private static final int PACKED_N = 52;
    /** Outputs of the layer whose columns after the wide blocks take every tail path. */
    private static final int TAILS_N = 191;
    /** Inputs to the element-wise functions: ordinary values and the edges of their ranges. */
    private static final float[] SPECIAL = {0f, -0f, 1e-30f, -1e-30f, 0.624f, 0.625f, -0.626f, 1f, -1f, 20f, -20f,
        87.5f, -87.5f, 88.5f, -88.5f, 100f, -100f, 1e30f, -1e30f, Float.MAX_VALUE, -Float.MAX_VALUE,
        Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, Float.MIN_VALUE, 3.4e-39f};

    private KernelFingerprint() {
    }

    /** Prints {@code kernel op crc} for each kernel named in {@code args} ({@code scalar} or {@code vector-SET}). */
    public static void main(String[] args) {
        for (String name : args) {
            Kernel kernel = "scalar".equals(name) ? new ScalarKernel()
                    : Kernels.vector(name.substring("vector-".length()));
            if (kernel == null) {
                System.out.println(name + " unavailable -");
                continue;
            }
            of(kernel).forEach((op, crc) -> System.out.println(name + " " + op + " " + crc));
        }
        System.out.println("FloatMath functions " + functions());
    }

    /** The CRC of each operation's output on {@code kernel}. */
    public static Map<String, Long> of(Kernel kernel) {
        Map<String, Long> out = new LinkedHashMap<>();
        Rng rng = new Rng(2026);
        float[] x = random(M * K, rng);
        float[] params = random(K * N + N, rng);
        for (Activation act : List.of(Activation.LINEAR, Activation.RELU, Activation.SIGMOID, Activation.TANH,
                Activation.GELU)) {
            float[] pre = act.needsPreActivation() ? new float[M * N] : null;
            float[] y = new float[M * N];
            kernel.denseForward(M, K, N, x, 0, params, 0, K * N, pre, y, act);
            out.put("forward-" + act.id(), crc(y));
            float[] delta = random(M * N, new Rng(7));
            float[] grad = random(params.length, new Rng(8));
            float[] dx = new float[M * K];
            kernel.denseBackward(M, K, N, x, 0, params, 0, pre, y, act, delta, grad, 0, K * N, dx);
            out.put("backward-" + act.id(), crc(delta) ^ crc(grad) * 31 ^ crc(dx) * 961);
        }
        out.put("narrow-layer", reluLayer(kernel, NARROW_K, NARROW_N, rng));
        out.put("tails-layer", reluLayer(kernel, K, TAILS_N, rng));
        out.put("packed-a-layer", reluLayer(kernel, PACKED_K, PACKED_N, rng));
        for (int classes : new int[] {10, 37}) {
            float[] logits = random(M * classes, rng);
            logits[3] = 60f;
            float[] labels = new float[M];
            for (int i = 0; i < M; i++) {
                labels[i] = i % classes;
            }
            float[] grad = new float[M * classes];
            long[] correct = new long[1];
            double loss = kernel.softmaxCrossEntropy(M, classes, logits, labels, 0, 1, grad, correct);
            out.put("softmax-ce-" + classes, crc(grad) ^ Double.doubleToLongBits(loss) ^ correct[0]);
            kernel.activateInPlace(M, classes, logits, 0, Activation.SOFTMAX);
            out.put("softmax-" + classes, crc(logits));
        }
        float[] big = random(3001, rng);
        out.put("sum-of-squares", Double.doubleToLongBits(kernel.sumOfSquares(3000, big, 1)));
        float[] y = random(3001, rng);
        kernel.axpy(3000, -0.37f, big, 1, y, 0);
        kernel.scaleInPlace(3000, 1.7f, y, 1);
        out.put("axpy-scale", crc(y));
        float[] m = new float[3001];
        float[] v = new float[3001];
        for (int step = 0; step < 3; step++) {
            kernel.adamUpdate(3001, y, big, m, v, 0.9f, 0.999f, 1e-3f, 0.02f, 1e-8f);
        }
        out.put("adam", crc(y) ^ crc(m) * 31 ^ crc(v) * 961);
        return out;
    }

    /** A ReLU layer of {@code k} inputs and {@code n} outputs forward and backward: one CRC of its results. */
    private static long reluLayer(Kernel kernel, int k, int n, Rng rng) {
        float[] x = random(M * k, rng);
        float[] params = random(k * n + n, rng);
        float[] y = new float[M * n];
        kernel.denseForward(M, k, n, x, 0, params, 0, k * n, null, y, Activation.RELU);
        float[] delta = random(M * n, new Rng(9));
        float[] grad = random(params.length, new Rng(10));
        float[] dx = new float[M * k];
        kernel.denseBackward(M, k, n, x, 0, params, 0, null, y, Activation.RELU, delta, grad, 0, k * n, dx);
        return crc(y) ^ crc(grad) * 31 ^ crc(dx) * 961;
    }

    /** A CRC over {@link FloatMath}'s functions on {@link #SPECIAL} and a sweep of [−100, 100]. */
    public static long functions() {
        float[] in = new float[SPECIAL.length + 4001];
        System.arraycopy(SPECIAL, 0, in, 0, SPECIAL.length);
        for (int i = 0; i <= 4000; i++) {
            in[SPECIAL.length + i] = -100f + i * 0.05f;
        }
        float[] out = new float[in.length * 3];
        for (int i = 0; i < in.length; i++) {
            out[3 * i] = FloatMath.exp(in[i]);
            out[3 * i + 1] = FloatMath.tanh(in[i]);
            out[3 * i + 2] = FloatMath.sigmoid(in[i]);
        }
        return crc(out);
    }

    private static float[] random(int len, Rng rng) {
        float[] a = new float[len];
        for (int i = 0; i < len; i++) {
            a[i] = (float) rng.nextGaussian();
        }
        return a;
    }

    private static long crc(float[] a) {
        CRC32 crc = new CRC32();
        for (float f : a) {
            int bits = Float.floatToIntBits(f); // one NaN: its payload is not part of the result
            crc.update(bits);
            crc.update(bits >>> 8);
            crc.update(bits >>> 16);
            crc.update(bits >>> 24);
        }
        return crc.getValue();
    }
}
