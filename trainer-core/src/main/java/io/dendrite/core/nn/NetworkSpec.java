package io.dendrite.core.nn;

import io.dendrite.core.kernel.Activation;
import io.dendrite.core.util.Checks;
import io.dendrite.core.util.Rng;
import java.util.ArrayList;
import java.util.List;

/**
 * The topology of a feed-forward network: its input width and its layers, in order. An immutable
 * value; weights are kept apart, in one flat {@code float[]} laid out layer by layer as
 * {@code W (inputs × units, row-major)} then {@code b (units)}.
 */
public record NetworkSpec(int inputWidth, List<LayerSpec> layers) implements java.io.Serializable {

    /** Validates the topology. */
    public NetworkSpec {
        Checks.checkArgument(inputWidth >= 1, "network input width must be >= 1 but was %s", inputWidth);
        Checks.checkArgument(layers != null && !layers.isEmpty(), "a network needs at least one layer");
        layers = List.copyOf(layers);
        Checks.checkArgument(layers.get(layers.size() - 1) instanceof LayerSpec.Dense,
                "the last layer must be dense but was %s", layers.get(layers.size() - 1));
        for (int i = 0; i < layers.size() - 1; i++) {
            if (layers.get(i) instanceof LayerSpec.Dense d) {
                Checks.checkArgument(d.activation().kind() != Activation.Kind.SOFTMAX,
                        "softmax is only allowed on the output layer, but layer %s uses it", i);
            }
        }
    }

    /** A one-line description, e.g. {@code 64 → dense(128, relu) → dropout(0.1) → dense(10, softmax)}. */
    public String describe() {
        StringBuilder sb = new StringBuilder().append(inputWidth);
        for (LayerSpec l : layers) {
            if (l instanceof LayerSpec.Dense d) {
                sb.append(" → dense(").append(d.units()).append(", ").append(d.activation().id()).append(')');
            } else if (l instanceof LayerSpec.Dropout dr) {
                sb.append(" → dropout(").append(dr.rate()).append(')');
            }
        }
        return sb.toString();
    }

    /** The width of the network's output. */
    public int outputWidth() {
        return ((LayerSpec.Dense) layers.get(layers.size() - 1)).units();
    }

    /** The output layer. */
    public LayerSpec.Dense outputLayer() {
        return (LayerSpec.Dense) layers.get(layers.size() - 1);
    }

    /** The width entering layer {@code index}. */
    public int inputWidthOf(int index) {
        int w = inputWidth;
        for (int i = 0; i < index; i++) {
            w = layers.get(i).outputWidth(w);
        }
        return w;
    }

    /** The total number of parameters. */
    public int parameterCount() {
        int w = inputWidth;
        long total = 0;
        for (LayerSpec l : layers) {
            total += l.parameterCount(w);
            w = l.outputWidth(w);
        }
        Checks.checkArgument(total <= Integer.MAX_VALUE - 8, "network has %s parameters; at most %s fit one array",
                total, Integer.MAX_VALUE - 8);
        return (int) total;
    }

    /** The {@code [offset, length]} ranges of every weight matrix (biases excluded), for norm penalties. */
    public List<int[]> weightRanges() {
        List<int[]> ranges = new ArrayList<>();
        int w = inputWidth;
        int off = 0;
        for (LayerSpec l : layers) {
            if (l instanceof LayerSpec.Dense d) {
                ranges.add(new int[] {off, w * d.units()});
            }
            off += l.parameterCount(w);
            w = l.outputWidth(w);
        }
        return ranges;
    }

    /** Fresh parameters: each dense layer's weights from its initializer and a stream of its own, zero biases. */
    public float[] initialParameters(long seed) {
        float[] params = new float[parameterCount()];
        int w = inputWidth;
        int off = 0;
        for (int i = 0; i < layers.size(); i++) {
            LayerSpec l = layers.get(i);
            if (l instanceof LayerSpec.Dense d) {
                d.initializer().fill(params, off, w, d.units(), new Rng(Rng.derive(seed, i)));
            }
            off += l.parameterCount(w);
            w = l.outputWidth(w);
        }
        return params;
    }
}
