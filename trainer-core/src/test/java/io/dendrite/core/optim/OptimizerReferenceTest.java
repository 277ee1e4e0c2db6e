package io.dendrite.core.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import io.dendrite.core.TorchReference;
import io.dendrite.core.kernel.ScalarKernel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every optimiser replays PyTorch's six steps on the same parameters and gradients. */
class OptimizerReferenceTest {
    private static final ScalarKernel KERNEL = new ScalarKernel();

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (JsonNode c : TorchReference.root().get("optimizers")) {
            out.add(Arguments.of(c.get("name").asText(), c));
        }
        return out.stream();
    }

    static Optimizer make(String name, JsonNode cfg) {
        float lr = (float) cfg.get("lr").asDouble();
        return switch (name) {
            case "sgd" -> new Sgd(lr, 0f, false);
            case "momentum" -> new Sgd(lr, f(cfg, "momentum"), false);
            case "nesterov" -> new Sgd(lr, f(cfg, "momentum"), true);
            case "adagrad" -> new Adagrad(lr, f(cfg, "eps"));
            case "adadelta" -> new Adadelta(lr, f(cfg, "rho"), f(cfg, "eps"));
            case "rmsprop" -> new RmsProp(lr, f(cfg, "alpha"), f(cfg, "eps"));
            case "adam" -> new Adam(lr, f(cfg, "beta1"), f(cfg, "beta2"), f(cfg, "eps"), 0f);
            case "adamw" -> new Adam(lr, f(cfg, "beta1"), f(cfg, "beta2"), f(cfg, "eps"), f(cfg, "weight_decay"));
            case "nadam" -> new Nadam(lr, f(cfg, "beta1"), f(cfg, "beta2"), f(cfg, "eps"), f(cfg, "momentum_decay"));
            default -> throw new IllegalArgumentException(name);
        };
    }

    private static float f(JsonNode cfg, String key) {
        return (float) cfg.get(key).asDouble();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesPyTorchStepByStep(String name, JsonNode c) {
        Optimizer opt = make(name, c.get("config"));
        assertEquals(name, opt.id());
        float[] params = TorchReference.floats(TorchReference.root().get("initial_params"));
        opt.initialize(params.length);
        JsonNode grads = TorchReference.root().get("grads");
        for (int s = 0; s < grads.size(); s++) {
            opt.step(params, TorchReference.floats(grads.get(s)), opt.learningRate(), KERNEL);
            float[] expected = TorchReference.floats(c.get("params").get(s));
            for (int i = 0; i < params.length; i++) {
                assertEquals(expected[i], params[i], 2e-6f + 2e-6f * Math.abs(expected[i]),
                        name + " step " + (s + 1) + " parameter " + i);
            }
        }
        assertEquals(grads.size(), opt.iterations());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void copyHasFreshStateAndRestoreResumesExactly(String name, JsonNode c) {
        Optimizer opt = make(name, c.get("config"));
        float[] p0 = TorchReference.floats(TorchReference.root().get("initial_params"));
        JsonNode grads = TorchReference.root().get("grads");

        float[] straight = p0.clone();
        opt.initialize(straight.length);
        for (JsonNode g : grads) {
            opt.step(straight, TorchReference.floats(g), opt.learningRate(), KERNEL);
        }

        Optimizer first = opt.copy();
        float[] resumed = p0.clone();
        first.initialize(resumed.length);
        for (int s = 0; s < 3; s++) {
            first.step(resumed, TorchReference.floats(grads.get(s)), first.learningRate(), KERNEL);
        }
        Map<String, float[]> saved = new HashMap<>();
        first.state().forEach((k, v) -> saved.put(k, v.clone()));
        Optimizer second = opt.copy();
        assertEquals(0, second.iterations());
        second.initialize(resumed.length);
        second.restore(first.iterations(), saved);
        for (int s = 3; s < grads.size(); s++) {
            second.step(resumed, TorchReference.floats(grads.get(s)), second.learningRate(), KERNEL);
        }
        for (int i = 0; i < p0.length; i++) {
            assertEquals(straight[i], resumed[i], 0f, name + " parameter " + i + " after resume");
        }
        opt.reset();
        assertEquals(0, opt.iterations());
    }

    @Test
    void rejectsBadHyperparametersNamingThem() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Optimizers.adam(-1e-3f));
        assertEquals("learning rate must be a finite number > 0 but was -0.001", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Adam(1e-3f, 1.0f, 0.999f, 1e-8f, 0f));
        assertEquals("adam beta1 must be in [0.0, 1.0) but was 1.0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Sgd(0.1f, 0f, true));
        assertEquals("nesterov momentum needs momentum > 0 but was 0.0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Optimizers.sgd(Float.NaN));
        assertEquals("learning rate must be a finite number > 0 but was NaN", e.getMessage());
    }

    @Test
    void stepBeforeInitializeAndWrongSizeFailClearly() {
        Optimizer adam = Optimizers.adam(1e-3f);
        assertThrows(IllegalStateException.class, () -> adam.step(new float[3], new float[3], 1e-3f, KERNEL));
        adam.initialize(3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> adam.step(new float[4], new float[4], 1e-3f, KERNEL));
        assertEquals("adam was initialised for 3 parameters but got 4 parameters and 4 gradients", e.getMessage());
        assertNotEquals(adam, adam.copy());
    }
}
