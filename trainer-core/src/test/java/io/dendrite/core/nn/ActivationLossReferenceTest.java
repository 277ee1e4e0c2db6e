package io.dendrite.core.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.dendrite.core.TorchReference;
import io.dendrite.core.kernel.Activation;
import io.dendrite.core.kernel.ScalarKernel;
import io.dendrite.core.loss.Loss;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Activation values and derivatives, and loss values and gradients, against PyTorch. */
class ActivationLossReferenceTest {
    private static final ScalarKernel KERNEL = new ScalarKernel();

    static Stream<Arguments> activations() {
        List<Arguments> out = new ArrayList<>();
        TorchReference.root().get("activations").forEach(a -> out.add(Arguments.of(a.get("name").asText(), a)));
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("activations")
    void activationMatchesPyTorch(String name, JsonNode ref) {
        Activation act = Activation.of(name, (float) ref.get("alpha").asDouble());
        float[] z = TorchReference.floats(ref.get("z"));
        float[] value = TorchReference.floats(ref.get("value"));
        float[] derivative = TorchReference.floats(ref.get("derivative"));
        float[] viaKernel = z.clone();
        KERNEL.activateInPlace(1, z.length, viaKernel, 0, act);
        for (int i = 0; i < z.length; i++) {
            float a = act.apply(z[i]);
            assertEquals(value[i], a, 3e-7f + 1e-6f * Math.abs(value[i]), name + " value at " + z[i]);
            assertEquals(a, viaKernel[i], 0f, name + " kernel value at " + z[i]);
            if (z[i] != 0f) { // PyTorch picks a one-sided derivative at the kink
                assertEquals(derivative[i], act.derivative(z[i], a), 3e-7f + 2e-6f * Math.abs(derivative[i]),
                        name + " derivative at " + z[i]);
            }
        }
    }

    static Stream<Arguments> losses() {
        List<Arguments> out = new ArrayList<>();
        int i = 0;
        for (JsonNode l : TorchReference.root().get("losses")) {
            out.add(Arguments.of(l.get("name").asText() + " #" + i++, l));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("losses")
    void lossMatchesPyTorch(String label, JsonNode ref) {
        Loss loss = Loss.of(ref.get("name").asText(), ref.has("delta") ? (float) ref.get("delta").asDouble() : 1f);
        float[] output = TorchReference.flatten(ref.get("output"));
        float[] target = TorchReference.flatten(ref.get("target"));
        float[] expectedGrad = TorchReference.flatten(ref.get("grad"));
        int m = ref.get("output").size();
        int n = output.length / m;
        int tw = ref.get("target_width").asInt();
        loss.checkTargets(target, m, tw, n);
        float[] grad = new float[output.length];
        double sum = loss.compute(KERNEL, m, n, output, target, 0, tw, grad, null);
        double expected = ref.get("loss_sum").asDouble();
        assertTrue(Double.isFinite(sum), "loss is finite even for logits of ±1000");
        assertEquals(expected, sum, 1e-5 * Math.max(1, Math.abs(expected)), label + " loss");
        for (int i = 0; i < grad.length; i++) {
            assertEquals(expectedGrad[i], grad[i], 1e-6f + 1e-5f * Math.abs(expectedGrad[i]), label + " grad " + i);
        }
    }

    @Test
    void softmaxOnlyOnTheOutputLayerAndOnlyWithCrossEntropy() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new NetworkSpec(3,
                List.of(new LayerSpec.Dense(4, Activation.SOFTMAX, Initializer.GLOROT_UNIFORM),
                        new LayerSpec.Dense(2, Activation.LINEAR, Initializer.GLOROT_UNIFORM))));
        assertEquals("softmax is only allowed on the output layer, but layer 0 uses it", e.getMessage());
        NetworkSpec spec = new NetworkSpec(3, List.of(new LayerSpec.Dense(2, Activation.SOFTMAX, Initializer.GLOROT_UNIFORM)));
        e = assertThrows(IllegalArgumentException.class, () -> new Network(spec, Loss.of("mse", 1f), KERNEL));
        assertEquals("loss mse cannot follow a softmax output layer; use categorical_crossentropy", e.getMessage());
    }

    @Test
    void badActivationParametersAreNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Activation.leakyRelu(-0.1f));
        assertEquals("leaky_relu alpha (negative slope) must be in [0, 1) but was -0.1", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Activation.of("swish", 0f));
        assertTrue(e.getMessage().startsWith("unknown activation 'swish'; expected one of"));
    }
}
