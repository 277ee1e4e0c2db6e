package io.dendrite.core.nn;

import io.dendrite.core.kernel.Activation;
import io.dendrite.core.kernel.Kernel;
import io.dendrite.core.loss.Loss;
import io.dendrite.core.loss.LossStats;
import io.dendrite.core.util.Checks;
import io.dendrite.core.util.Rng;

/**
 * A {@link NetworkSpec} compiled against a {@link Loss} and a {@link Kernel}: it runs forward and
 * backward over a caller-owned flat parameter array, so the same network serves the single-JVM trainer,
 * an executor holding broadcast weights, and scoring. Stateless apart from its immutable layout;
 * scratch memory lives in a {@link Workspace} per thread.
 *
 * <p>When the loss works on logits (softmax + categorical cross-entropy, sigmoid + binary
 * cross-entropy) the output layer is linear while training and its activation is applied only when
 * predicting.
 */
public final class Network {
    /** Rows processed per kernel call when evaluating and predicting; larger batches go chunk by chunk. */
    public static final int CHUNK_ROWS = 512;
    /**
     * Rows per leaf of a batch's gradient tree. A batch's gradient is the sum of its leaves' gradients
     * (each over {@code LEAF_ROWS} consecutive rows, its own dropout masks drawn from the leaf's index)
     * along one fixed binary tree over leaf indices, so any set of aligned subtrees can be computed on
     * different threads and combined to the same bits ({@link #gradientNode}).
     */
    public static final int LEAF_ROWS = 32;

    private final NetworkSpec spec;
    private final Loss loss;
    private final Kernel kernel;
    private final int[] inWidth;
    private final int[] outWidth;
    private final int[] paramOff;
    private final Activation[] trainActivation;
    private final Activation outputActivation;
    private final int parameterCount;

    /** Compiles {@code spec} for training with {@code loss} on {@code kernel}. */
    public Network(NetworkSpec spec, Loss loss, Kernel kernel) {
        this.spec = spec;
        this.loss = loss;
        this.kernel = kernel;
        int n = spec.layers().size();
        inWidth = new int[n];
        outWidth = new int[n];
        paramOff = new int[n];
        trainActivation = new Activation[n];
        int w = spec.inputWidth();
        int off = 0;
        for (int i = 0; i < n; i++) {
            LayerSpec l = spec.layers().get(i);
            inWidth[i] = w;
            outWidth[i] = l.outputWidth(w);
            paramOff[i] = off;
            if (l instanceof LayerSpec.Dense d) {
                trainActivation[i] = d.activation();
            }
            off += l.parameterCount(w);
            w = outWidth[i];
        }
        parameterCount = off;
        LayerSpec.Dense out = spec.outputLayer();
        loss.checkOutput(out.activation(), out.units());
        outputActivation = out.activation();
        if (loss.fusesOutputActivation()) {
            trainActivation[n - 1] = Activation.LINEAR;
        }
    }

    /** The topology. */
    public NetworkSpec spec() {
        return spec;
    }

    /** The training objective. */
    public Loss loss() {
        return loss;
    }

    /** The kernel doing the arithmetic. */
    public Kernel kernel() {
        return kernel;
    }

    /** The length of the flat parameter array. */
    public int parameterCount() {
        return parameterCount;
    }

    /** Scratch space for batches of up to {@link #CHUNK_ROWS} rows. */
    public Workspace newWorkspace() {
        return new Workspace(spec, CHUNK_ROWS);
    }

    /**
     * Forward and backward over {@code rows} examples: adds the summed gradient to {@code grad} (the
     * caller zeroes it) and returns the summed loss and correct count. A pure function of its arguments:
     * the sums follow the batch's gradient tree ({@link #LEAF_ROWS}), so a zeroed {@code grad} receives the
     * bits of {@link #gradientNode} at the root; dropout masks come from {@code dropoutSeed} and the leaf
     * index.
     */
    public LossStats accumulateGradient(float[] params, float[] x, int xOff, float[] y, int yOff, int targetWidth,
                                        int rows, float[] grad, Workspace ws, long dropoutSeed) {
        if (rows == 0) {
            return LossStats.EMPTY;
        }
        return node(params, x, xOff, y, yOff, targetWidth, rows, treeLevels(rows), 0, grad, false, ws, dropoutSeed);
    }

    /** The leaves of a batch of {@code rows} rows. */
    public static int leaves(int rows) {
        return (rows + LEAF_ROWS - 1) / LEAF_ROWS;
    }

    /** The level of the root of a batch's gradient tree: the least {@code L} with {@code 2^L >= leaves}. */
    public static int treeLevels(int rows) {
        int leaves = Math.max(1, leaves(rows));
        return 32 - Integer.numberOfLeadingZeros(leaves - 1);
    }

    /**
     * Node {@code (level, index)} of the gradient tree of a batch of {@code rows} rows (its leaves
     * {@code [index·2^level, (index+1)·2^level)} that exist): writes the node's summed gradient to
     * {@code out} (overwriting it) and returns its loss statistics. A node is its left child plus its right
     * child, or its left child alone when the right one lies past the last leaf. The root
     * ({@code treeLevels(rows)}, 0) is the whole batch.
     */
    public LossStats gradientNode(float[] params, float[] x, int xOff, float[] y, int yOff, int targetWidth, int rows,
                                  int level, int index, float[] out, Workspace ws, long dropoutSeed) {
        Checks.checkArgument(index << level < leaves(rows), "node (%s, %s) holds no leaf of a batch of %s rows", level,
                index, rows);
        return node(params, x, xOff, y, yOff, targetWidth, rows, level, index, out, true, ws, dropoutSeed);
    }

    /** A node into {@code out}, which is zeroed first when {@code overwrite} and added to otherwise. */
    private LossStats node(float[] params, float[] x, int xOff, float[] y, int yOff, int targetWidth, int rows,
                           int level, int index, float[] out, boolean overwrite, Workspace ws, long dropoutSeed) {
        if (level == 0) {
            if (overwrite) {
                java.util.Arrays.fill(out, 0, parameterCount, 0f);
            }
            return leafGradient(params, x, xOff, y, yOff, targetWidth, rows, index, out, ws, dropoutSeed);
        }
        LossStats left = node(params, x, xOff, y, yOff, targetWidth, rows, level - 1, 2 * index, out, overwrite, ws,
                dropoutSeed);
        if ((2 * index + 1) << (level - 1) >= leaves(rows)) {
            return left;
        }
        float[] right = ws.treeBuffer(level - 1, parameterCount);
        LossStats r = node(params, x, xOff, y, yOff, targetWidth, rows, level - 1, 2 * index + 1, right, true, ws,
                dropoutSeed);
        return combine(out, left, right, r);
    }

    /** Adds a right sibling's gradient to its left sibling's, in place, and returns their summed statistics. */
    public static LossStats combine(float[] left, LossStats leftStats, float[] right, LossStats rightStats) {
        for (int i = 0; i < Math.min(left.length, right.length); i++) {
            left[i] += right[i];
        }
        return leftStats.plus(rightStats);
    }

    /** Adds leaf {@code leaf}'s gradient to {@code grad}. */
    private LossStats leafGradient(float[] params, float[] x, int xOff, float[] y, int yOff, int targetWidth, int rows,
                                   int leaf, float[] grad, Workspace ws, long dropoutSeed) {
        int last = spec.layers().size() - 1;
        int start = leaf * LEAF_ROWS;
        int m = Math.min(LEAF_ROWS, rows - start);
        int leafXOff = xOff + start * spec.inputWidth();
        forward(params, x, leafXOff, m, ws, true, Rng.derive(dropoutSeed, leaf), trainActivation[last]);
        ws.correct[0] = 0;
        double lossSum = loss.compute(kernel, m, outWidth[last], ws.outputs[last], y, yOff + start * targetWidth,
                targetWidth, ws.deltaA, ws.correct);
        long correct = ws.correct[0];
        backward(params, x, leafXOff, m, ws, grad);
        return new LossStats(lossSum, m, loss.isClassification() ? correct : 0);
    }

    /** Loss and correct count over {@code rows} examples with dropout off; no gradient. */
    public LossStats evaluate(float[] params, float[] x, int xOff, float[] y, int yOff, int targetWidth, int rows,
                              Workspace ws) {
        double lossSum = 0;
        long correct = 0;
        int last = spec.layers().size() - 1;
        for (int start = 0; start < rows; start += ws.capacity) {
            int m = Math.min(ws.capacity, rows - start);
            forward(params, x, xOff + start * spec.inputWidth(), m, ws, false, 0L, trainActivation[last]);
            ws.correct[0] = 0;
            lossSum += loss.compute(kernel, m, outWidth[last], ws.outputs[last], y, yOff + start * targetWidth,
                    targetWidth, ws.deltaA, ws.correct);
            correct += ws.correct[0];
        }
        return new LossStats(lossSum, rows, loss.isClassification() ? correct : 0);
    }

    /**
     * The network's outputs for {@code rows} examples, after the output activation (probabilities for
     * softmax and sigmoid outputs), written row-major into {@code out} at {@code outOff}.
     */
    public void predict(float[] params, float[] x, int xOff, int rows, float[] out, int outOff, Workspace ws) {
        int last = spec.layers().size() - 1;
        int n = outWidth[last];
        for (int start = 0; start < rows; start += ws.capacity) {
            int m = Math.min(ws.capacity, rows - start);
            forward(params, x, xOff + start * spec.inputWidth(), m, ws, false, 0L, outputActivation);
            System.arraycopy(ws.outputs[last], 0, out, outOff + start * n, m * n);
        }
    }

    /**
     * For a softmax output layer: its logits (before the softmax) into {@code logits} and its outputs (the
     * softmax of them, the same bits {@link #predict} gives) into {@code out}, both row-major at {@code outOff}.
     */
    public void predictWithLogits(float[] params, float[] x, int xOff, int rows, float[] logits, float[] out, int outOff,
                                  Workspace ws) {
        Checks.checkArgument(outputActivation.kind() == Activation.Kind.SOFTMAX,
                "logits are for a softmax output layer but it is %s", outputActivation.id());
        int last = spec.layers().size() - 1;
        int n = outWidth[last];
        for (int start = 0; start < rows; start += ws.capacity) {
            int m = Math.min(ws.capacity, rows - start);
            forward(params, x, xOff + start * spec.inputWidth(), m, ws, false, 0L, Activation.LINEAR);
            System.arraycopy(ws.outputs[last], 0, logits, outOff + start * n, m * n);
            System.arraycopy(ws.outputs[last], 0, out, outOff + start * n, m * n);
            kernel.activateInPlace(m, n, out, outOff + start * n, outputActivation);
        }
    }

    private void forward(float[] params, float[] x, int xOff, int m, Workspace ws, boolean training, long seed,
                         Activation lastActivation) {
        float[] in = x;
        int inOff = xOff;
        int last = spec.layers().size() - 1;
        for (int i = 0; i <= last; i++) {
            LayerSpec l = spec.layers().get(i);
            float[] out = ws.outputs[i];
            if (l instanceof LayerSpec.Dense d) {
                Activation act = i == last ? lastActivation : trainActivation[i];
                if (act.kind() == Activation.Kind.SOFTMAX) {
                    kernel.denseForward(m, inWidth[i], d.units(), in, inOff, params, paramOff[i],
                            paramOff[i] + inWidth[i] * d.units(), null, out, Activation.LINEAR);
                    kernel.activateInPlace(m, d.units(), out, 0, act);
                } else {
                    kernel.denseForward(m, inWidth[i], d.units(), in, inOff, params, paramOff[i],
                            paramOff[i] + inWidth[i] * d.units(), ws.preActs[i], out, act);
                }
            } else {
                dropoutForward(((LayerSpec.Dropout) l).rate(), in, inOff, m * inWidth[i], out, ws.masks[i],
                        training, Rng.derive(seed, i));
            }
            in = out;
            inOff = 0;
        }
    }

    private static void dropoutForward(float rate, float[] in, int inOff, int len, float[] out, float[] mask,
                                       boolean training, long seed) {
        if (!training || rate == 0f) {
            System.arraycopy(in, inOff, out, 0, len);
            if (training) {
                java.util.Arrays.fill(mask, 0, len, 1f); // only training's backward pass reads the mask
            }
            return;
        }
        Rng rng = new Rng(seed);
        float keep = 1f / (1f - rate);
        for (int i = 0; i < len; i++) {
            mask[i] = rng.nextFloat() < rate ? 0f : keep;
            out[i] = in[inOff + i] * mask[i];
        }
    }

    /** Backward from the loss gradient in {@code ws.deltaA}; adds each dense layer's gradient to {@code grad}. */
    private void backward(float[] params, float[] x, int xOff, int m, Workspace ws, float[] grad) {
        float[] delta = ws.deltaA;
        float[] spare = ws.deltaB;
        for (int i = spec.layers().size() - 1; i >= 0; i--) {
            float[] in = i == 0 ? x : ws.outputs[i - 1];
            int inOff = i == 0 ? xOff : 0;
            LayerSpec l = spec.layers().get(i);
            if (l instanceof LayerSpec.Dense d) {
                int n = d.units();
                int k = inWidth[i];
                float[] dx = needsInputGradient(i) ? spare : null;
                kernel.denseBackward(m, k, n, in, inOff, params, paramOff[i], ws.preActs[i], ws.outputs[i],
                        trainActivation[i], delta, grad, paramOff[i], paramOff[i] + k * n, dx);
                if (dx == null) {
                    return;
                }
                spare = delta;
                delta = dx;
            } else {
                float[] mask = ws.masks[i];
                int len = m * inWidth[i];
                for (int j = 0; j < len; j++) {
                    delta[j] *= mask[j];
                }
            }
        }
    }

    /** The first dense layer needs no input gradient; anything before it has no parameters. */
    private boolean needsInputGradient(int layer) {
        for (int i = 0; i < layer; i++) {
            if (spec.layers().get(i) instanceof LayerSpec.Dense) {
                return true;
            }
        }
        return false;
    }

    /** Checks a parameter array fits this network. */
    public void checkParameters(float[] params) {
        Checks.checkArgument(params != null && params.length == parameterCount,
                "network expects %s parameters but got %s", parameterCount, params == null ? "null" : params.length);
    }
}
