package io.dendrite.core.kernel.vector;

import static io.dendrite.core.kernel.vector.VectorMath.S;
import static io.dendrite.core.kernel.vector.VectorMath.V;

import io.dendrite.core.kernel.FloatMath;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Softmax cross-entropy on logits with vector passes for the row maximum, the exponentials and the
 * gradient scaling; rows narrower than a vector (e.g. ten classes on AVX-512) run the same arithmetic
 * scalar. The exponentials are {@link VectorMath#exp} (lanes) and {@link FloatMath#exp} (the rest), the
 * same bits either way, and their sum runs in index order in double: the result does not depend on the
 * vector width, nor on whether the code is interpreted or compiled.
 */
final class SoftmaxCrossEntropy {
    private SoftmaxCrossEntropy() {
    }

    static double compute(int m, int n, float[] logits, float[] targets, int tOff, int targetWidth, float[] grad,
                          long[] correct) {
        double loss = 0;
        long right = 0;
        int nv = VectorMath.FLOAT_COMPARES ? n - n % V : 0;
        for (int i = 0; i < m; i++) {
            int o = i * n;
            int t = tOff + i * targetWidth;
            int argmax = argmax(logits, o, n, nv);
            float max = logits[o + argmax];
            double sum = expShifted(logits, o, n, nv, max, grad);
            double logZ = max + Math.log(sum);
            float inv = (float) (1.0 / sum);
            for (int j = 0; j < nv; j += V) {
                FloatVector.fromArray(S, grad, o + j).mul(inv).intoArray(grad, o + j);
            }
            for (int j = nv; j < n; j++) {
                grad[o + j] *= inv;
            }
            if (targetWidth == 1) {
                int label = (int) targets[t];
                loss += logZ - logits[o + label];
                grad[o + label] -= 1f;
                right += argmax == label ? 1 : 0;
            } else {
                int targetArgmax = 0;
                for (int j = 0; j < n; j++) {
                    float y = targets[t + j];
                    loss += y * (logZ - logits[o + j]);
                    grad[o + j] -= y;
                    if (y > targets[t + targetArgmax]) {
                        targetArgmax = j;
                    }
                }
                right += argmax == targetArgmax ? 1 : 0;
            }
        }
        if (correct != null) {
            correct[0] += right;
        }
        return loss;
    }

    /** {@code out[o+j] = exp(z[o+j] − max)} for the row, returning their sum, added in index order. */
    private static double expShifted(float[] z, int o, int n, int nv, float max, float[] out) {
        for (int j = 0; j < nv; j += V) {
            VectorMath.exp(FloatVector.fromArray(S, z, o + j).sub(max)).intoArray(out, o + j);
        }
        for (int j = nv; j < n; j++) {
            out[o + j] = FloatMath.exp(z[o + j] - max);
        }
        double sum = 0;
        for (int j = 0; j < n; j++) {
            sum += out[o + j];
        }
        return sum;
    }

    /** Softmax of one row in place, with the exponentials and sum of {@link #compute}. */
    static void softmaxRow(float[] z, int o, int n) {
        int nv = VectorMath.FLOAT_COMPARES ? n - n % V : 0;
        float max = z[o + argmax(z, o, n, nv)];
        float inv = (float) (1.0 / expShifted(z, o, n, nv, max, z));
        for (int j = 0; j < nv; j += V) {
            FloatVector.fromArray(S, z, o + j).mul(inv).intoArray(z, o + j);
        }
        for (int j = nv; j < n; j++) {
            z[o + j] *= inv;
        }
    }

    /**
     * The first index of the row maximum: a vector pass finds the value (a maximum is exact in any order,
     * so {@code reduceLanes(MAX)} is safe where a sum would not be), a scalar pass its first position.
     */
    private static int argmax(float[] z, int o, int n, int nv) {
        float max = z[o];
        if (nv > 0) {
            FloatVector acc = FloatVector.fromArray(S, z, o);
            for (int j = V; j < nv; j += V) {
                acc = acc.lanewise(VectorOperators.MAX, FloatVector.fromArray(S, z, o + j));
            }
            max = Math.max(max, acc.reduceLanes(VectorOperators.MAX));
        }
        for (int j = nv; j < n; j++) {
            max = Math.max(max, z[o + j]);
        }
        for (int j = 0; j < n; j++) {
            if (z[o + j] == max) {
                return j;
            }
        }
        return 0;
    }
}
