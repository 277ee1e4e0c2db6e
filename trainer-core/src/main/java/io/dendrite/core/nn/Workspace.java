package io.dendrite.core.nn;

/**
 * Scratch buffers for one thread running a {@link Network} on batches of up to {@link #capacity()}
 * rows. Allocated once and reused every step, so the hot loop allocates nothing.
 */
public final class Workspace {
    final int capacity;
    final float[][] outputs;
    final float[][] preActs;
    final float[][] masks;
    final float[] deltaA;
    final float[] deltaB;
    final long[] correct = new long[1];
    /** Per level of a gradient tree, the buffer its right children are computed into. */
    private float[][] tree = new float[0][];

    Workspace(NetworkSpec spec, int capacity) {
        this.capacity = capacity;
        int layers = spec.layers().size();
        outputs = new float[layers][];
        preActs = new float[layers][];
        masks = new float[layers][];
        int width = spec.inputWidth();
        int maxWidth = width;
        for (int i = 0; i < layers; i++) {
            LayerSpec l = spec.layers().get(i);
            width = l.outputWidth(width);
            maxWidth = Math.max(maxWidth, width);
            outputs[i] = new float[capacity * width];
            if (l instanceof LayerSpec.Dense d && d.activation().needsPreActivation()) {
                preActs[i] = new float[capacity * width];
            }
            if (l instanceof LayerSpec.Dropout) {
                masks[i] = new float[capacity * width];
            }
        }
        deltaA = new float[capacity * maxWidth];
        deltaB = new float[capacity * maxWidth];
    }

    /** The buffer for right children at {@code level} of a gradient tree, of at least {@code length} floats. */
    float[] treeBuffer(int level, int length) {
        if (tree.length <= level) {
            tree = java.util.Arrays.copyOf(tree, level + 1);
        }
        if (tree[level] == null || tree[level].length < length) {
            tree[level] = new float[length];
        }
        return tree[level];
    }

    /** The largest number of rows one call may process. */
    public int capacity() {
        return capacity;
    }
}
