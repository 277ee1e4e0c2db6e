package io.dendrite.ps;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dendrite.core.data.FeatureScaler;
import io.dendrite.core.loss.LossStats;
import io.dendrite.core.model.ModelFormat;
import io.dendrite.core.model.ModelFormatException;
import io.dendrite.core.model.StateStore;
import io.dendrite.core.model.WeightsFile;
import io.dendrite.core.train.EpochCallbacks;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The checkpoint files: {@code checkpoint.json} (format, version, position, seeds, callbacks, history)
 * and one checksummed {@link WeightsFile} per array (weights, each optimiser state array, the scaler,
 * the best weights). Every double is written so it reads back to the same bits; the reader checks the
 * format, version and each array's length and checksum, naming the file and field.
 */
public final class CheckpointFormat {
    /** The document's {@code format} value. */
    public static final String FORMAT = "dendrite-checkpoint";
    /** The version this code writes and reads. */
    public static final int VERSION = 1;
    /** The document's file name. */
    public static final String DOCUMENT = "checkpoint.json";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private CheckpointFormat() {
    }

    /** Writes {@code c} into {@code store}; the document goes last, so it only exists over complete arrays. */
    public static void write(TrainingCheckpoint c, StateStore store) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT);
        root.put("format_version", VERSION);
        root.put("fingerprint", c.fingerprint());
        root.put("seed", c.seed());
        root.put("epoch", c.epoch());
        root.put("step_in_epoch", c.stepInEpoch());
        ArrayNode rows = root.putArray("partition_rows");
        for (long r : c.partitionRows()) {
            rows.add(r);
        }
        root.put("weights", writeArray(store, "weights.bin", c.weights()));
        ObjectNode opt = root.putObject("optimizer");
        opt.put("id", c.optimizerId());
        opt.put("iterations", c.iterations());
        ObjectNode state = opt.putObject("state");
        for (Map.Entry<String, float[]> e : new TreeMap<>(c.optimizerState()).entrySet()) {
            state.put(e.getKey(), writeArray(store, "optimizer-" + e.getKey() + ".bin", e.getValue()));
        }
        EpochCallbacks.State cb = c.callbacks();
        ObjectNode callbacks = root.putObject("callbacks");
        callbacks.put("stop_best", cb.stopBest());
        callbacks.put("stop_best_epoch", cb.stopBestEpoch());
        callbacks.put("stop_wait", cb.stopWait());
        callbacks.put("plateau_best", cb.plateauBest());
        callbacks.put("plateau_bad", cb.plateauBad());
        callbacks.put("plateau_cooldown", cb.plateauCooldown());
        callbacks.put("plateau_multiplier_bits", Float.floatToRawIntBits(cb.plateauMultiplier()));
        callbacks.put("best_weights", cb.bestWeights() == null ? null
                : writeArray(store, "best-weights.bin", cb.bestWeights()));
        ArrayNode history = root.putArray("history");
        for (Map<String, Double> epoch : c.history()) {
            ObjectNode e = history.addObject();
            epoch.forEach(e::put);
        }
        ObjectNode progress = root.putObject("epoch_progress");
        progress.put("loss_sum", c.epochStats().lossSum());
        progress.put("count", c.epochStats().count());
        progress.put("correct", c.epochStats().correct());
        progress.put("penalty_sum", c.epochPenalty());
        progress.put("last_rate_bits", Float.floatToRawIntBits(c.lastRate()));
        ObjectNode scaler = root.putObject("scaler");
        scaler.put("kind", c.scaler().kind().name());
        scaler.put("shift", writeArray(store, "scaler-shift.bin", c.scaler().shift()));
        scaler.put("scale", writeArray(store, "scaler-scale.bin", c.scaler().scale()));
        try (OutputStream out = store.create(DOCUMENT)) {
            JSON.writeValue(out, root);
        }
    }

    private static String writeArray(StateStore store, String name, float[] values) throws IOException {
        try (OutputStream out = store.create(name)) {
            WeightsFile.write(values, out);
        }
        return name;
    }

    /** Reads and validates the checkpoint in {@code store}. */
    public static TrainingCheckpoint read(StateStore store) throws IOException {
        String doc = store.describe(DOCUMENT);
        JsonNode root;
        try (InputStream in = store.open(DOCUMENT)) {
            root = JSON.readTree(in);
        } catch (FileNotFoundException e) {
            throw new ModelFormatException(doc + ": no checkpoint document here (an incomplete checkpoint is never "
                    + "renamed into place, so this is not a checkpoint directory)", e);
        }
        Reader r = new Reader(store, doc, root);
        r.expect("format", FORMAT);
        int version = r.integer(root, "format_version");
        if (version != VERSION) {
            throw new ModelFormatException(doc + ": format_version " + version + " is not supported; this build reads "
                    + VERSION);
        }
        JsonNode rowsNode = r.field(root, "partition_rows");
        long[] rows = new long[rowsNode.size()];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = rowsNode.get(i).asLong();
        }
        float[] weights = r.array(r.text(root, "weights"), -1);
        JsonNode opt = r.field(root, "optimizer");
        Map<String, float[]> state = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = r.field(opt, "state").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            state.put(e.getKey(), r.array(e.getValue().asText(), weights.length));
        }
        JsonNode cb = r.field(root, "callbacks");
        JsonNode best = r.field(cb, "best_weights");
        EpochCallbacks.State callbacks = new EpochCallbacks.State(r.real(cb, "stop_best"),
                r.integer(cb, "stop_best_epoch"), r.integer(cb, "stop_wait"), r.real(cb, "plateau_best"),
                r.integer(cb, "plateau_bad"), r.integer(cb, "plateau_cooldown"),
                Float.intBitsToFloat(r.integer(cb, "plateau_multiplier_bits")),
                best.isNull() ? null : r.array(best.asText(), weights.length));
        List<Map<String, Double>> history = new ArrayList<>();
        for (JsonNode e : r.field(root, "history")) {
            Map<String, Double> logs = new LinkedHashMap<>();
            e.fields().forEachRemaining(f -> logs.put(f.getKey(), f.getValue().asDouble()));
            history.add(logs);
        }
        JsonNode p = r.field(root, "epoch_progress");
        LossStats stats = new LossStats(r.real(p, "loss_sum"), r.longValue(p, "count"), r.longValue(p, "correct"));
        JsonNode s = r.field(root, "scaler");
        FeatureScaler.Kind kind;
        try {
            kind = FeatureScaler.Kind.valueOf(r.text(s, "kind"));
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(doc + ": scaler.kind '" + s.get("kind").asText() + "' is not one of "
                    + java.util.Arrays.toString(FeatureScaler.Kind.values()), e);
        }
        float[] shift = r.array(r.text(s, "shift"), -1);
        FeatureScaler scaler = new FeatureScaler(kind, shift, r.array(r.text(s, "scale"), shift.length));
        return new TrainingCheckpoint(r.text(root, "fingerprint"), r.longValue(root, "seed"), r.integer(root, "epoch"),
                r.longValue(root, "step_in_epoch"), rows, weights, r.text(opt, "id"), r.longValue(opt, "iterations"),
                state, callbacks, history, stats, r.real(p, "penalty_sum"),
                Float.intBitsToFloat(r.integer(p, "last_rate_bits")), scaler);
    }

    /** Field access that names the document and the missing or malformed field. */
    private record Reader(StateStore store, String doc, JsonNode root) {
        JsonNode field(JsonNode parent, String name) throws ModelFormatException {
            JsonNode n = parent.get(name);
            if (n == null) {
                throw new ModelFormatException(doc + ": required field '" + name + "' is missing");
            }
            return n;
        }

        void expect(String name, String value) throws ModelFormatException {
            String found = text(root, name);
            if (!value.equals(found)) {
                throw new ModelFormatException(doc + ": " + name + " must be '" + value + "' but was '" + found + "'");
            }
        }

        String text(JsonNode parent, String name) throws ModelFormatException {
            JsonNode n = field(parent, name);
            if (!n.isTextual()) {
                throw new ModelFormatException(doc + ": field '" + name + "' must be a string but was " + n);
            }
            return n.asText();
        }

        long longValue(JsonNode parent, String name) throws ModelFormatException {
            JsonNode n = field(parent, name);
            if (!n.canConvertToLong() || !n.isIntegralNumber()) {
                throw new ModelFormatException(doc + ": field '" + name + "' must be an integer but was " + n);
            }
            return n.asLong();
        }

        int integer(JsonNode parent, String name) throws ModelFormatException {
            JsonNode n = field(parent, name);
            if (!n.canConvertToInt() || !n.isIntegralNumber()) {
                throw new ModelFormatException(doc + ": field '" + name + "' must be a 32-bit integer but was " + n);
            }
            return n.asInt();
        }

        /** A double, which Jackson writes as a string for NaN and infinities. */
        double real(JsonNode parent, String name) throws ModelFormatException {
            JsonNode n = field(parent, name);
            if (n.isNumber()) {
                return n.asDouble();
            }
            try {
                return Double.parseDouble(n.asText());
            } catch (NumberFormatException e) {
                throw new ModelFormatException(doc + ": field '" + name + "' must be a number but was " + n, e);
            }
        }

        float[] array(String file, int expectedLength) throws IOException {
            ModelFormat.requirePlainName(doc, "an array file", file);
            String where = store.describe(file);
            try (InputStream in = store.open(file)) {
                return WeightsFile.read(in, where, expectedLength);
            } catch (FileNotFoundException e) {
                throw new ModelFormatException(where + ": named by " + doc + " but missing", e);
            }
        }
    }
}
