package io.dendrite.core.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.dendrite.core.data.FeatureScaler;
import io.dendrite.core.kernel.Activation;
import io.dendrite.core.loss.Losses;
import io.dendrite.core.nn.Initializer;
import io.dendrite.core.nn.LayerSpec;
import io.dendrite.core.nn.NetworkSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The golden model of format version 1 ({@code src/test/resources/golden/model-v1/}). Regenerate with
 * {@code main(dir)} only when adding a new golden version: the committed files, and the predictions
 * stored with them, are what version-1 readers must keep loading.
 */
public final class GoldenModelV1 {
    /** Inputs whose predictions are stored beside the golden model. */
    static final float[] INPUTS = {0.5f, -1f, 2f, 3f, 0f, -0.25f, -2f, 1.5f, 0.75f};

    private GoldenModelV1() {
    }

    /** The model: every layer kind, a non-trivial activation parameter, scaling, labels and a summary. */
    static Model model() {
        NetworkSpec spec = new NetworkSpec(3, List.of(
                new LayerSpec.Dense(4, Activation.leakyRelu(0.1f), Initializer.HE_NORMAL),
                new LayerSpec.Dropout(0.25f),
                new LayerSpec.Dense(3, Activation.SOFTMAX, Initializer.normal(0.05f))));
        float[] params = new float[spec.parameterCount()];
        for (int i = 0; i < params.length; i++) {
            params[i] = (float) Math.sin(0.7 * i + 0.3) * (1 + i % 3);
        }
        FeatureScaler scaler = new FeatureScaler(FeatureScaler.Kind.STANDARD, new float[] {0.5f, -0.25f, 1f},
                new float[] {2f, 0.5f, 1.25f});
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("trainer", "golden");
        summary.put("epochs_run", 3);
        summary.put("final", Map.of("loss", 0.125));
        return new Model(spec, Losses.categoricalCrossEntropy(), params, scaler, List.of("low", "mid", "high"), summary);
    }

    /** Writes the golden model and its stored predictions into {@code args[0]}. */
    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        Model m = model();
        Files.deleteIfExists(dir.resolve("predictions.json")); // a model directory is saved over only a model
        ModelFiles.save(m, dir);
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("inputs", INPUTS);
        expected.put("probabilities", m.predictProba(INPUTS, 3));
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                .writeValue(Files.newOutputStream(dir.resolve("predictions.json")), expected);
    }
}
