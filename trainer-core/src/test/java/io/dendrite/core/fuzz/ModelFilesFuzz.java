package io.dendrite.core.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import io.dendrite.core.model.Model;
import io.dendrite.core.model.ModelFiles;
import io.dendrite.core.model.ModelFormat;
import io.dendrite.core.model.ModelFormatException;
import io.dendrite.core.onnx.OnnxExport;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Fuzz target: a model directory's two files as untrusted bytes (a valid model with bytes spliced in, or
 * anything). The reader must return a model or refuse with a {@link ModelFormatException} that says why;
 * a model it returns must export to ONNX and score a row. Anything else — another exception, a hang, memory
 * out of bounds — is a finding.
 */
public final class ModelFilesFuzz {
    private static final byte[] DOCUMENT = FuzzCampaign.resource(ModelFilesFuzz.class, "/golden/model-v1/model.json");
    private static final byte[] WEIGHTS = FuzzCampaign.resource(ModelFilesFuzz.class, "/golden/model-v1/weights.bin");

    private ModelFilesFuzz() {
    }

    /** One input. */
    public static void fuzzerTestOneInput(FuzzedDataProvider data) throws IOException {
        MemoryStore store = new MemoryStore();
        switch (data.consumeInt(0, 2)) {
            case 0 -> store.put(ModelFormat.MODEL_FILE, Splice.of(DOCUMENT, data)).put(ModelFormat.WEIGHTS_FILE, WEIGHTS);
            case 1 -> store.put(ModelFormat.MODEL_FILE, DOCUMENT).put(ModelFormat.WEIGHTS_FILE, Splice.of(WEIGHTS, data));
            default -> store.put(ModelFormat.MODEL_FILE, data.consumeBytes(data.consumeInt(0, 2048)))
                    .put(ModelFormat.WEIGHTS_FILE, data.consumeRemainingAsBytes());
        }
        Model model;
        try {
            model = ModelFiles.read(store);
        } catch (ModelFormatException e) {
            Splice.requireMessage(e);
            return;
        }
        OnnxExport.write(model, OutputStream.nullOutputStream());
        model.predictProba(new float[model.spec().inputWidth()], 1);
    }
}
