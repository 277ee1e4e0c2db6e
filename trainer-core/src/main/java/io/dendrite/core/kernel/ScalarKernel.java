package io.dendrite.core.kernel;


/**
 * The plain-Java kernel: straightforward loops in an order the JIT auto-vectorises (the innermost loop
 * always walks contiguous memory). The reference the vectorised kernel is tested against.
 */
public final class ScalarKernel implements Kernel {

    @Override
    public String name() {
        return "scalar";
    }

    @Override
    public void denseForward(int m, int k, int n, float[] x, int xOff, float[] params, int wOff, int bOff,
                             float[] preAct, float[] out, Activation act) {
        for (int i = 0; i < m; i++) {
            int o = i * n;
            System.arraycopy(params, bOff, out, o, n);
            int xr = xOff + i * k;
            for (int p = 0; p < k; p++) {
                float a = x[xr + p];
                int wr = wOff + p * n;
                for (int j = 0; j < n; j++) {
                    out[o + j] += a * params[wr + j];
                }
            }
            if (preAct != null) {
                System.arraycopy(out, o, preAct, o, n);
            }
            activateRow(act, out, o, n);
        }
    }

    @Override
    public void denseBackward(int m, int k, int n, float[] x, int xOff, float[] params, int wOff,
                              float[] preAct, float[] out, Activation act, float[] delta,
                              float[] grad, int gwOff, int gbOff, float[] dx) {
        applyDerivative(act, m * n, preAct, out, delta);
        gemmXtDzAccumulate(m, k, n, x, xOff, delta, grad, gwOff);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                grad[gbOff + j] += delta[i * n + j];
            }
        }
        if (dx != null) {
            gemmDzWt(m, k, n, delta, params, wOff, dx);
        }
    }

    @Override
    public void gemmXW(int m, int k, int n, float[] x, int xOff, float[] w, int wOff, float[] out) {
        java.util.Arrays.fill(out, 0, m * n, 0f);
        for (int i = 0; i < m; i++) {
            int xr = xOff + i * k;
            for (int p = 0; p < k; p++) {
                float a = x[xr + p];
                int wr = wOff + p * n;
                for (int j = 0; j < n; j++) {
                    out[i * n + j] += a * w[wr + j];
                }
            }
        }
    }

    @Override
    public void gemmXtDzAccumulate(int m, int k, int n, float[] x, int xOff, float[] dz, float[] g, int gOff) {
        for (int i = 0; i < m; i++) {
            int xr = xOff + i * k;
            int dr = i * n;
            for (int p = 0; p < k; p++) {
                float a = x[xr + p];
                int gr = gOff + p * n;
                for (int j = 0; j < n; j++) {
                    g[gr + j] += a * dz[dr + j];
                }
            }
        }
    }

    @Override
    public void gemmDzWt(int m, int k, int n, float[] dz, float[] w, int wOff, float[] dx) {
        for (int i = 0; i < m; i++) {
            int dr = i * n;
            for (int p = 0; p < k; p++) {
                int wr = wOff + p * n;
                float s = 0f;
                for (int j = 0; j < n; j++) {
                    s += dz[dr + j] * w[wr + j];
                }
                dx[i * k + p] = s;
            }
        }
    }

    @Override
    public void activateInPlace(int m, int n, float[] z, int off, Activation act) {
        for (int i = 0; i < m; i++) {
            activateRow(act, z, off + i * n, n);
        }
    }

    private static void activateRow(Activation act, float[] z, int off, int n) {
        int end = off + n;
        switch (act.kind()) {
            case LINEAR -> { }
            case RELU -> {
                for (int i = off; i < end; i++) {
                    z[i] = z[i] > 0 ? z[i] : 0f;
                }
            }
            case SOFTMAX -> softmaxRow(z, off, n);
            default -> {
                for (int i = off; i < end; i++) {
                    z[i] = act.apply(z[i]);
                }
            }
        }
    }

    private static void softmaxRow(float[] z, int off, int n) {
        float max = z[off];
        for (int j = 1; j < n; j++) {
            max = Math.max(max, z[off + j]);
        }
        double sum = 0;
        for (int j = 0; j < n; j++) {
            float e = (float) Math.exp(z[off + j] - max);
            z[off + j] = e;
            sum += e;
        }
        float inv = (float) (1.0 / sum);
        for (int j = 0; j < n; j++) {
            z[off + j] *= inv;
        }
    }

    private static void applyDerivative(Activation act, int len, float[] preAct, float[] out, float[] delta) {
        switch (act.kind()) {
            case LINEAR -> { }
            case RELU -> {
                for (int i = 0; i < len; i++) {
                    delta[i] = out[i] > 0 ? delta[i] : 0f;
                }
            }
            case SIGMOID -> {
                for (int i = 0; i < len; i++) {
                    delta[i] *= out[i] * (1f - out[i]);
                }
            }
            case TANH -> {
                for (int i = 0; i < len; i++) {
                    delta[i] *= 1f - out[i] * out[i];
                }
            }
            case SOFTMAX -> throw new IllegalStateException("softmax is differentiated together with its loss");
            default -> {
                for (int i = 0; i < len; i++) {
                    delta[i] *= act.derivative(preAct == null ? 0f : preAct[i], out[i]);
                }
            }
        }
    }

    @Override
    public double softmaxCrossEntropy(int m, int n, float[] logits, float[] targets, int tOff, int targetWidth,
                                      float[] grad, long[] correct) {
        double loss = 0;
        long right = 0;
        for (int i = 0; i < m; i++) {
            int o = i * n;
            int t = tOff + i * targetWidth;
            float max = logits[o];
            int argmax = 0;
            for (int j = 1; j < n; j++) {
                if (logits[o + j] > max) {
                    max = logits[o + j];
                    argmax = j;
                }
            }
            double sum = 0;
            for (int j = 0; j < n; j++) {
                float e = (float) Math.exp(logits[o + j] - max);
                grad[o + j] = e;
                sum += e;
            }
            double logZ = max + Math.log(sum);
            float inv = (float) (1.0 / sum);
            if (targetWidth == 1) {
                int label = (int) targets[t];
                loss += logZ - logits[o + label];
                for (int j = 0; j < n; j++) {
                    grad[o + j] *= inv;
                }
                grad[o + label] -= 1f;
                if (argmax == label) {
                    right++;
                }
            } else {
                int targetArgmax = 0;
                for (int j = 0; j < n; j++) {
                    float y = targets[t + j];
                    loss += y * (logZ - logits[o + j]);
                    grad[o + j] = grad[o + j] * inv - y;
                    if (y > targets[t + targetArgmax]) {
                        targetArgmax = j;
                    }
                }
                if (argmax == targetArgmax) {
                    right++;
                }
            }
        }
        if (correct != null) {
            correct[0] += right;
        }
        return loss;
    }

    @Override
    public void axpy(int len, float alpha, float[] x, int xOff, float[] y, int yOff) {
        for (int i = 0; i < len; i++) {
            y[yOff + i] += alpha * x[xOff + i];
        }
    }

    @Override
    public void scaleInPlace(int len, float alpha, float[] x, int off) {
        for (int i = 0; i < len; i++) {
            x[off + i] *= alpha;
        }
    }

    @Override
    public double sumOfSquares(int len, float[] x, int off) {
        double s = 0;
        for (int i = 0; i < len; i++) {
            double v = x[off + i];
            s += v * v;
        }
        return s;
    }

    @Override
    public void adamUpdate(int len, float[] params, float[] grad, float[] m, float[] v, float beta1, float beta2,
                           float stepSize, float sqrtBiasCorrection2, float eps) {
        float oneMinusB1 = 1f - beta1;
        float oneMinusB2 = 1f - beta2;
        for (int i = 0; i < len; i++) {
            float g = grad[i];
            float mi = beta1 * m[i] + oneMinusB1 * g;
            float vi = beta2 * v[i] + oneMinusB2 * g * g;
            m[i] = mi;
            v[i] = vi;
            params[i] -= stepSize * mi / ((float) Math.sqrt(vi) / sqrtBiasCorrection2 + eps);
        }
    }
}
