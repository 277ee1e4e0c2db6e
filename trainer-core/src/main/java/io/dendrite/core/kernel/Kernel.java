package io.dendrite.core.kernel;


/**
 * The narrow seam every hot matrix operation of training goes through. All matrices are row-major
 * float32; a dense layer's weights {@code W} are {@code k × n} (inputs × units) followed by its
 * {@code n} biases. Implementations trust their callers: shapes are validated at the public edge.
 *
 * <p>Sums across examples are accumulated in a fixed order (example by example), so that a batch
 * computed in one call, or split across partitions and summed, differs only by float summation order.
 */
public interface Kernel {

    /** A short name for logs and summaries, e.g. {@code scalar}. */
    String name();

    /**
     * Dense forward with the bias and activation fused into the output pass:
     * {@code out[m×n] = act(x[m×k]·W + b)}. When {@code preAct} is non-null it also receives
     * {@code x·W + b}. Softmax is not accepted here; it is fused with its loss.
     */
    void denseForward(int m, int k, int n, float[] x, int xOff, float[] params, int wOff, int bOff,
                      float[] preAct, float[] out, Activation act);

    /**
     * Dense backward for one layer, given {@code delta = ∂L/∂out} (overwritten with {@code ∂L/∂z}):
     * applies the activation derivative while reading the delta, accumulates {@code gW += xᵀ·dZ} and
     * {@code gb += colsum(dZ)} into {@code grad}, and when {@code dx} is non-null writes
     * {@code dx[m×k] = dZ·Wᵀ}.
     */
    void denseBackward(int m, int k, int n, float[] x, int xOff, float[] params, int wOff,
                       float[] preAct, float[] out, Activation act, float[] delta,
                       float[] grad, int gwOff, int gbOff, float[] dx);

    /** {@code out[m×n] = x[m×k]·W}, with {@code W} the {@code k × n} block at {@code wOff}. */
    void gemmXW(int m, int k, int n, float[] x, int xOff, float[] w, int wOff, float[] out);

    /** {@code g[k×n] += x[m×k]ᵀ·dz[m×n]}, into {@code g} at {@code gOff}. */
    void gemmXtDzAccumulate(int m, int k, int n, float[] x, int xOff, float[] dz, float[] g, int gOff);

    /** {@code dx[m×k] = dz[m×n]·Wᵀ}, with {@code W} the {@code k × n} block at {@code wOff}. */
    void gemmDzWt(int m, int k, int n, float[] dz, float[] w, int wOff, float[] dx);

    /** Applies the activation to a row-major {@code m × n} block in place, softmax included. */
    void activateInPlace(int m, int n, float[] z, int off, Activation act);

    /**
     * Softmax cross-entropy on logits, stable for large logits. Targets are either one class index per
     * row ({@code targetWidth == 1}) or a probability row of width {@code n}. Writes
     * {@code grad = softmax(z) − y} and returns the summed loss over the {@code m} rows; when
     * {@code correct} is non-null, {@code correct[0]} is increased by the rows whose argmax is right.
     */
    double softmaxCrossEntropy(int m, int n, float[] logits, float[] targets, int tOff, int targetWidth,
                               float[] grad, long[] correct);

    /** {@code y[i] += alpha · x[i]} for {@code i < len}. */
    void axpy(int len, float alpha, float[] x, int xOff, float[] y, int yOff);

    /** {@code x[i] *= alpha} for {@code i < len}. */
    void scaleInPlace(int len, float alpha, float[] x, int off);

    /** The sum of squares of {@code x[off, off+len)}, accumulated in double. */
    double sumOfSquares(int len, float[] x, int off);

    /**
     * One bias-corrected Adam step over the whole parameter array (Kingma and Ba 2015):
     * {@code m = β1·m + (1−β1)·g; v = β2·v + (1−β2)·g²; p −= stepSize · m / (√v / √bc2 + eps)},
     * where the caller passes {@code stepSize = lr / bc1}. This is the form PyTorch computes.
     */
    void adamUpdate(int len, float[] params, float[] grad, float[] m, float[] v, float beta1, float beta2,
                    float stepSize, float sqrtBiasCorrection2, float eps);
}
