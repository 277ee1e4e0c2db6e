package io.dendrite.core.onnx;

import ai.onnx.proto.OnnxMl;
import io.dendrite.core.data.FeatureScaler;
import io.dendrite.core.kernel.Activation;
import io.dendrite.core.loss.Losses;
import io.dendrite.core.model.Model;
import io.dendrite.core.nn.LayerSpec;
import io.dendrite.core.nn.NetworkSpec;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tribuo.util.onnx.ONNXAttribute;
import org.tribuo.util.onnx.ONNXContext;
import org.tribuo.util.onnx.ONNXInitializer;
import org.tribuo.util.onnx.ONNXOperator;
import org.tribuo.util.onnx.ONNXOperators;
import org.tribuo.util.onnx.ONNXPlaceholder;
import org.tribuo.util.onnx.ONNXRef;

/**
 * A {@link Model} as an ONNX graph (opset 13), built with Tribuo's ONNX builder: input {@code features}
 * (float, {@code [batch, inputs]}, raw as the model takes them), the model's feature scaling
 * ({@code (x − shift) × scale}), each dense layer as {@code Gemm(x, W, b)} with {@code W} stored
 * {@code inputs × units} as the model file has it, then its activation; dropout is the identity at
 * inference. One output, as {@link Model#predictProba} (a classifier's {@code probabilities}, two columns
 * for a single sigmoid output) or {@link Model#predictOutputs} (a regression's {@code outputs}) give it.
 */
public final class OnnxExport {
    /** The graph's input. */
    public static final String INPUT = "features";
    /** A classifier's output. */
    public static final String PROBABILITIES = "probabilities";
    /** A regression's output. */
    public static final String OUTPUTS = "outputs";
    /** Every operator used is of this ONNX opset's version or older. */
    public static final int OPSET = ONNXOperators.getOpsetVersion();

    private OnnxExport() {
    }

    /** Writes {@code model} to {@code out} as an ONNX model file. */
    public static void write(Model model, OutputStream out) throws IOException {
        modelProto(model).writeTo(out);
    }

    /** The ONNX model of {@code model}. */
    public static OnnxMl.ModelProto modelProto(Model model) {
        NetworkSpec spec = model.spec();
        ONNXContext onnx = new ONNXContext();
        onnx.setName("dendrite");
        ONNXPlaceholder input = onnx.floatInput(INPUT, spec.inputWidth());
        ONNXRef<?> x = scaled(onnx, input, model.scaler());
        float[] params = model.parameters();
        int width = spec.inputWidth();
        int off = 0;
        List<LayerSpec> layers = spec.layers();
        for (int i = 0; i < layers.size(); i++) {
            if (!(layers.get(i) instanceof LayerSpec.Dense d)) {
                continue; // dropout: the identity when predicting
            }
            int units = d.units();
            float[] w = java.util.Arrays.copyOfRange(params, off, off + width * units);
            float[] b = java.util.Arrays.copyOfRange(params, off + width * units, off + width * units + units);
            ONNXInitializer weights = onnx.floatTensor("dense" + i + "_W", List.of(width, units),
                    buf -> buf.put(w));
            ONNXInitializer bias = onnx.array("dense" + i + "_b", b);
            x = x.apply(ONNXOperators.GEMM, List.<ONNXRef<?>>of(weights, bias), "dense" + i);
            x = activate(onnx, x, d.activation(), "dense" + i + "_" + d.activation().id());
            off += width * units + units;
            width = units;
        }
        boolean classifier = model.loss().isClassification();
        ONNXPlaceholder output;
        if (classifier && spec.outputWidth() == 1 && model.loss() instanceof Losses.BinaryCrossEntropy) {
            // One sigmoid output: the two columns P(0) = 1 − p, P(1) = p, as predictProba gives them.
            ONNXRef<?> q = onnx.constant("one", 1f).apply(ONNXOperators.SUB, x, "p0");
            output = onnx.floatOutput(PROBABILITIES, 2);
            onnx.assignTo(onnx.operation(ONNXOperators.CONCAT, List.of(q, x), "p01", Map.of("axis", 1)), output);
        } else {
            output = onnx.floatOutput(classifier ? PROBABILITIES : OUTPUTS, width);
            onnx.assignTo(x, output);
        }
        OnnxMl.GraphProto graph = onnx.buildGraph();
        return OnnxMl.ModelProto.newBuilder()
                .setIrVersion(7) // ONNX 1.8, the first IR version with opset 13
                .setProducerName("dendrite")
                .setDomain("io.dendrite")
                .setModelVersion(1)
                .setDocString("Dendrite " + spec.describe() + " (" + model.loss().id() + ")")
                .addOpsetImport(ONNXOperators.getOpsetProto())
                .setGraph(graph)
                .build();
    }

    private static ONNXRef<?> scaled(ONNXContext onnx, ONNXRef<?> input, FeatureScaler scaler) {
        if (scaler.kind() == FeatureScaler.Kind.NONE) {
            return input;
        }
        ONNXRef<?> shifted = input.apply(ONNXOperators.SUB, onnx.array("scaler_shift", scaler.shift()), "shifted");
        return shifted.apply(ONNXOperators.MUL, onnx.array("scaler_scale", scaler.scale()), "scaled");
    }

    private static ONNXRef<?> activate(ONNXContext onnx, ONNXRef<?> z, Activation a, String name) {
        return switch (a.kind()) {
            case LINEAR -> z;
            case SIGMOID -> z.apply(ONNXOperators.SIGMOID, name);
            case SOFTMAX -> withAttribute(z, ONNXOperators.SOFTMAX, name, "axis", 1);
            case TANH -> z.apply(Op.TANH, name);
            case RELU -> z.apply(Op.RELU, name);
            case LEAKY_RELU -> withAttribute(z, Op.LEAKY_RELU, name, "alpha", a.alpha());
            case ELU -> withAttribute(z, Op.ELU, name, "alpha", a.alpha());
            case GELU -> {
                // 0.5 · z · (1 + erf(z / √2)), the exact GELU the kernel computes.
                ONNXRef<?> erf = z.apply(ONNXOperators.MUL, onnx.constant(name + "_inv_sqrt2", (float) (1 / Math.sqrt(2))),
                        name + "_scaled").apply(Op.ERF, name + "_erf");
                ONNXRef<?> onePlus = erf.apply(ONNXOperators.ADD, onnx.constant(name + "_one", 1f), name + "_1p");
                yield z.apply(ONNXOperators.MUL, onnx.constant(name + "_half", 0.5f), name + "_half_z")
                        .apply(ONNXOperators.MUL, onePlus, name);
            }
        };
    }

    private static ONNXRef<?> withAttribute(ONNXRef<?> z, ONNXOperator op, String name, String attribute, Object value) {
        return z.apply(op, List.of(name), Map.of(attribute, value)).get(0);
    }

    /** The ONNX operators the network needs that Tribuo's {@link ONNXOperators} does not list. */
    enum Op implements ONNXOperator {
        TANH("Tanh", null),
        RELU("Relu", null),
        LEAKY_RELU("LeakyRelu", "alpha"),
        ELU("Elu", "alpha"),
        ERF("Erf", null);

        private final String opName;
        private final Map<String, ONNXAttribute> attributes;

        Op(String opName, String floatAttribute) {
            this.opName = opName;
            this.attributes = floatAttribute == null ? Map.of() : Map.of(floatAttribute,
                    new ONNXAttribute(floatAttribute, OnnxMl.AttributeProto.AttributeType.FLOAT, false));
        }

        @Override
        public String getOpName() {
            return opName;
        }

        @Override
        public int getNumInputs() {
            return 1;
        }

        @Override
        public int getNumOptionalInputs() {
            return 0;
        }

        @Override
        public int getNumOutputs() {
            return 1;
        }

        @Override
        public Map<String, ONNXAttribute> getAttributes() {
            return attributes;
        }

        @Override
        public Set<String> getMandatoryAttributeNames() {
            return Set.of();
        }

        @Override
        public int getOpVersion() {
            return OPSET;
        }

        @Override
        public String getOpDomain() {
            return ONNXOperators.SIGMOID.getOpDomain();
        }
    }
}
