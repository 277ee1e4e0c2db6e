package io.dendrite.core.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dendrite.core.data.FeatureScaler;
import io.dendrite.core.kernel.Activation;
import io.dendrite.core.loss.Loss;
import io.dendrite.core.loss.Losses;
import io.dendrite.core.nn.Initializer;
import io.dendrite.core.nn.LayerSpec;
import io.dendrite.core.nn.NetworkSpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The model document: a small JSON file (format version, network spec, loss, input width, class names,
 * feature scaling, training summary, and the weight file's name, count and checksum) beside a
 * {@link WeightsFile}. Written and read through streams so any file system can carry it; no Java
 * serialization and no class names are read from files. The reader branches on the format version.
 */
public final class ModelFormat {
    /** The value of the {@code format} field. */
    public static final String FORMAT = "dendrite-model";
    /** The document version this code writes. */
    public static final int VERSION = 1;
    /** The name of the weights file beside the document. */
    public static final String WEIGHTS_FILE = "weights.bin";
    /** The name of the JSON document. */
    public static final String MODEL_FILE = "model.json";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ModelFormat() {
    }

    /** What the document says, before the weights are read. */
    public record Header(NetworkSpec spec, Loss loss, FeatureScaler scaler, List<String> labels,
                         Map<String, Object> summary, String weightsFile, int weightCount, long crc32) {
    }

    /** Writes the document for {@code model}, whose weights were written with checksum {@code crc32}. */
    public static void writeDocument(Model model, long crc32, OutputStream out) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT);
        root.put("format_version", VERSION);
        ObjectNode net = root.putObject("network");
        net.put("input_width", model.spec().inputWidth());
        ArrayNode layers = net.putArray("layers");
        for (LayerSpec l : model.spec().layers()) {
            ObjectNode n = layers.addObject();
            if (l instanceof LayerSpec.Dense d) {
                n.put("type", "dense");
                n.put("units", d.units());
                n.put("activation", d.activation().id());
                if (d.activation().alpha() != 0f) {
                    n.put("alpha", d.activation().alpha());
                }
                n.put("initializer", d.initializer().id());
                if (d.initializer().scale() != 0f) {
                    n.put("initializer_scale", d.initializer().scale());
                }
            } else if (l instanceof LayerSpec.Dropout dr) {
                n.put("type", "dropout");
                n.put("rate", dr.rate());
            }
        }
        ObjectNode loss = root.putObject("loss");
        loss.put("name", model.loss().id());
        if (model.loss() instanceof Losses.Huber h) {
            loss.put("delta", h.delta());
        }
        ArrayNode labels = root.putArray("labels");
        model.labels().forEach(labels::add);
        writeScaler(model.scaler(), root.putObject("feature_scaling"));
        root.set("training", JSON.valueToTree(model.summary()));
        ObjectNode weights = root.putObject("weights");
        weights.put("file", WEIGHTS_FILE);
        weights.put("count", model.spec().parameterCount());
        weights.put("crc32", String.format("%08x", crc32));
        JSON.writeValue(new NonClosing(out), root);
    }

    /** Reads and validates the document; {@code source} names the file in errors. */
    public static Header readDocument(InputStream in, String source) throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(in);
        } catch (JsonProcessingException e) {
            throw new ModelFormatException(source + ": not valid JSON at line " + e.getLocation().getLineNr()
                    + " column " + e.getLocation().getColumnNr() + ": " + e.getOriginalMessage(), e);
        } catch (java.io.CharConversionException e) { // bytes in no encoding JSON allows (found by fuzzing)
            throw new ModelFormatException(source + ": not valid JSON: " + e.getMessage(), e);
        }
        Reader r = new Reader(source);
        if (root == null || !root.isObject()) {
            throw r.fail("", "a JSON object", root == null ? "an empty file" : root.getNodeType().toString());
        }
        String format = r.text(root, "format");
        if (!FORMAT.equals(format)) {
            throw r.fail("format", "\"" + FORMAT + "\"", "\"" + format + "\"");
        }
        int version = r.integer(root, "format_version");
        if (version == 1) {
            return r.readVersion1(root);
        }
        throw new ModelFormatException(source + ": unknown format_version " + version + "; this reader knows "
                + VERSION);
    }

    /** Field access that names the path of whatever is missing or wrong. */
    private static final class Reader {
        private final String source;

        Reader(String source) {
            this.source = source;
        }

        ModelFormatException fail(String path, String expected, String found) {
            return new ModelFormatException(source + ": field '" + path + "' must be " + expected + " but is " + found);
        }

        JsonNode field(JsonNode parent, String name, String path) throws ModelFormatException {
            JsonNode n = parent.get(name);
            if (n == null || n.isNull()) {
                throw new ModelFormatException(source + ": missing field '" + path + "'");
            }
            return n;
        }

        String text(JsonNode parent, String path) throws ModelFormatException {
            JsonNode n = field(parent, leaf(path), path);
            if (!n.isTextual()) {
                throw fail(path, "a string", n.toString());
            }
            return n.asText();
        }

        int integer(JsonNode parent, String path) throws ModelFormatException {
            JsonNode n = field(parent, leaf(path), path);
            if (!n.canConvertToInt() || !n.isIntegralNumber()) {
                throw fail(path, "an integer", n.toString());
            }
            return n.intValue();
        }

        float number(JsonNode parent, String path) throws ModelFormatException {
            JsonNode n = field(parent, leaf(path), path);
            if (!n.isNumber() || !Float.isFinite(n.floatValue())) {
                throw fail(path, "a finite number", n.toString());
            }
            return n.floatValue();
        }

        float[] numbers(JsonNode parent, String path, int length) throws ModelFormatException {
            JsonNode n = field(parent, leaf(path), path);
            if (!n.isArray() || n.size() != length) {
                throw fail(path, "an array of " + length + " numbers", n.isArray() ? n.size() + " entries" : n.toString());
            }
            float[] out = new float[length];
            for (int i = 0; i < length; i++) {
                if (!n.get(i).isNumber() || !Float.isFinite(n.get(i).floatValue())) {
                    throw fail(path + "[" + i + "]", "a finite number", n.get(i).toString());
                }
                out[i] = n.get(i).floatValue();
            }
            return out;
        }

        private static String leaf(String path) {
            return path.substring(path.lastIndexOf('.') + 1);
        }

        /** Wraps a validation failure of a value object with the path it came from. */
        private <T> T checked(String path, java.util.function.Supplier<T> make) throws ModelFormatException {
            try {
                return make.get();
            } catch (IllegalArgumentException e) {
                throw new ModelFormatException(source + ": field '" + path + "': " + e.getMessage(), e);
            }
        }

        Header readVersion1(JsonNode root) throws IOException {
            JsonNode net = field(root, "network", "network");
            int inputWidth = integer(net, "network.input_width");
            JsonNode layersNode = field(net, "layers", "network.layers");
            if (!layersNode.isArray()) {
                throw fail("network.layers", "an array", layersNode.toString());
            }
            List<LayerSpec> layers = new ArrayList<>();
            for (int i = 0; i < layersNode.size(); i++) {
                layers.add(layer(layersNode.get(i), "network.layers[" + i + "]"));
            }
            NetworkSpec spec = checked("network", () -> new NetworkSpec(inputWidth, layers));
            JsonNode lossNode = field(root, "loss", "loss");
            String lossName = text(lossNode, "loss.name");
            float delta = lossNode.has("delta") ? number(lossNode, "loss.delta") : 1f;
            Loss loss = checked("loss.name", () -> Loss.of(lossName, delta));
            List<String> labels = new ArrayList<>();
            JsonNode labelsNode = field(root, "labels", "labels");
            for (JsonNode l : labelsNode) {
                labels.add(l.asText());
            }
            FeatureScaler scaler = scaler(field(root, "feature_scaling", "feature_scaling"), "feature_scaling",
                    inputWidth);
            Map<String, Object> summary = root.has("training")
                    ? JSON.convertValue(root.get("training"), new TypeReference<Map<String, Object>>() { })
                    : Map.of();
            JsonNode weights = field(root, "weights", "weights");
            String file = text(weights, "weights.file");
            requirePlainName(source, "weights.file", file);
            int count = integer(weights, "weights.count");
            if (count != spec.parameterCount()) {
                throw new ModelFormatException(source + ": field 'weights.count' is " + count
                        + " but the network spec needs " + spec.parameterCount() + " weights");
            }
            String crcText = text(weights, "weights.crc32");
            long crc;
            try {
                crc = Long.parseLong(crcText, 16);
            } catch (NumberFormatException e) {
                throw fail("weights.crc32", "8 hex digits", "\"" + crcText + "\"");
            }
            return new Header(spec, loss, scaler, labels, summary, file, count, crc);
        }

        FeatureScaler scaler(JsonNode scaling, String path, int inputWidth) throws ModelFormatException {
            String kindName = text(scaling, path + ".kind");
            if ("none".equals(kindName)) {
                return FeatureScaler.none(inputWidth);
            }
            FeatureScaler.Kind kind = checked(path + ".kind", () -> {
                try {
                    return FeatureScaler.Kind.valueOf(kindName.toUpperCase(Locale.ROOT));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("unknown scaling '" + kindName
                            + "'; expected none, standard, min_max or constant");
                }
            });
            float[] shift = numbers(scaling, path + ".shift", inputWidth);
            float[] scale = numbers(scaling, path + ".scale", inputWidth);
            return checked(path, () -> new FeatureScaler(kind, shift, scale));
        }

        private LayerSpec layer(JsonNode n, String path) throws ModelFormatException {
            String type = text(n, path + ".type");
            switch (type) {
                case "dense" -> {
                    int units = integer(n, path + ".units");
                    String act = text(n, path + ".activation");
                    float alpha = n.has("alpha") ? number(n, path + ".alpha") : defaultAlpha(act);
                    String init = n.has("initializer") ? text(n, path + ".initializer") : "glorot_uniform";
                    float scale = n.has("initializer_scale") ? number(n, path + ".initializer_scale") : 0f;
                    return checked(path, () -> new LayerSpec.Dense(units, Activation.of(act, alpha),
                            Initializer.of(init, scale)));
                }
                case "dropout" -> {
                    float rate = number(n, path + ".rate");
                    return checked(path, () -> new LayerSpec.Dropout(rate));
                }
                default -> throw fail(path + ".type", "\"dense\" or \"dropout\"", "\"" + type + "\"");
            }
        }

        private static float defaultAlpha(String activation) {
            return switch (activation) {
                case "leaky_relu" -> 0.01f;
                case "elu" -> 1f;
                default -> 0f;
            };
        }
    }

    /** Keeps Jackson from closing a stream the caller owns. */
    private static final class NonClosing extends java.io.FilterOutputStream {
        NonClosing(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }

    /**
     * Writes {@code scaler} into {@code scaling}: its kind and, unless it is {@code none}, the shift and
     * scale per feature as numbers that read back to the same floats. Models and checkpoints both use it.
     */
    public static void writeScaler(FeatureScaler scaler, ObjectNode scaling) {
        scaling.put("kind", scaler.id());
        if (scaler.kind() != FeatureScaler.Kind.NONE) {
            ArrayNode shift = scaling.putArray("shift");
            for (float v : scaler.shift()) {
                shift.add(v);
            }
            ArrayNode scale = scaling.putArray("scale");
            for (float v : scaler.scale()) {
                scale.add(v);
            }
        }
    }

    /**
     * Reads a scaler {@link #writeScaler} wrote for {@code inputWidth} features from the object at
     * {@code path} of the document {@code source}, naming the field at fault.
     */
    public static FeatureScaler readScaler(JsonNode scaling, String path, int inputWidth, String source)
            throws ModelFormatException {
        return new Reader(source).scaler(scaling, path, inputWidth);
    }

    /**
     * Refuses a file name inside a model or checkpoint document that is not a plain name in the document's
     * own directory (a path, {@code ..}, a hidden or empty name): a document must never make its reader open
     * a file elsewhere.
     */
    public static void requirePlainName(String doc, String field, String name) throws ModelFormatException {
        if (!name.matches("[A-Za-z0-9_-][A-Za-z0-9._-]*") || name.contains("..")) {
            throw new ModelFormatException(doc + ": field '" + field + "' must be a plain file name in the same "
                    + "directory but was \"" + name + "\"");
        }
    }
}
