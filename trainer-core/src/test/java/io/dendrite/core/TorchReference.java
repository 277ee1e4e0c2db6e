package io.dendrite.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The known answers PyTorch computed for these tests ({@code reference/torch_reference.json}, written by
 * {@code reference/make_reference.py} beside it).
 */
public final class TorchReference {
    private static final JsonNode ROOT = load();

    private TorchReference() {
    }

    private static JsonNode load() {
        try (InputStream in = TorchReference.class.getResourceAsStream("/reference/torch_reference.json")) {
            if (in == null) {
                throw new IllegalStateException("reference/torch_reference.json is missing from the test classpath");
            }
            return new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The whole fixture. */
    public static JsonNode root() {
        return ROOT;
    }

    /** A JSON array of numbers as floats. */
    public static float[] floats(JsonNode array) {
        float[] out = new float[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) array.get(i).asDouble();
        }
        return out;
    }

    /** A JSON array of arrays of numbers, flattened row-major. */
    public static float[] flatten(JsonNode rows) {
        int width = rows.get(0).size();
        float[] out = new float[rows.size() * width];
        for (int r = 0; r < rows.size(); r++) {
            for (int c = 0; c < width; c++) {
                out[r * width + c] = (float) rows.get(r).get(c).asDouble();
            }
        }
        return out;
    }
}
