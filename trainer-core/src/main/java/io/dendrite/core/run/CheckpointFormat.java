package io.dendrite.core.run;

import com.fasterxml.jackson.core.JsonProcessingException;
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
 * The checkpoint files: {@code checkpoint.json} (format, version, run id, settings, data fingerprint,
 * run state, scaler) and one checksummed {@link WeightsFile} per array (weights, each optimiser state
 * array, the best weights). Every double is written so it reads back to the same bits; the reader checks
 * the format, version and each array's length and checksum, naming the file and field. Which files make
 * a complete checkpoint is the directory's manifest ({@link Checkpoints}).
 */
public final class CheckpointFormat {
    /** The document's {@code format} value. */
    public static final String FORMAT = "dendrite-checkpoint";
    /** The version this code writes and reads. */
    public static final int VERSION = 2;
    /** The document's file name. */
    public static final String DOCUMENT = "checkpoint.json";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private CheckpointFormat() {
    }

    /** Writes {@code c} into {@code store}, the arrays first and the document last. */
    public static void write(Checkpoint c, StateStore store) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT);
        root.put("format_version", VERSION);
        root.put("run_id", c.runId());
        ObjectNode settings = root.putObject("settings");
        c.settings().forEach(settings::put);
        ObjectNode data = root.putObject("data");
        ArrayNode rows = data.putArray("partition_rows");
        ArrayNode first = data.putArray("first_block_crc32c");
        ArrayNode last = data.putArray("last_block_crc32c");
        for (int p = 0; p < c.data().rows().length; p++) {
            rows.add(c.data().rows()[p]);
            first.add(c.data().firstBlock()[p]);
            last.add(c.data().lastBlock()[p]);
        }
        root.put("weights", writeArray(store, "weights.bin", c.weights()));
        ObjectNode opt = root.putObject("optimizer");
        opt.put("id", c.optimizerId());
        opt.put("iterations", c.iterations());
        ObjectNode state = opt.putObject("state");
        for (Map.Entry<String, float[]> e : new TreeMap<>(c.optimizerState()).entrySet()) {
            state.put(e.getKey(), writeArray(store, "optimizer-" + e.getKey() + ".bin", e.getValue()));
        }
        RunState.Snapshot run = c.run();
        ObjectNode r = root.putObject("run");
        r.put("epoch", run.epoch());
        r.put("step_in_epoch", run.stepInEpoch());
        r.put("skipped_steps", run.skippedSteps());
        ObjectNode progress = r.putObject("epoch_progress");
        progress.put("loss_sum", run.epochStats().lossSum());
        progress.put("count", run.epochStats().count());
        progress.put("correct", run.epochStats().correct());
        progress.put("penalty_sum", run.epochPenalty());
        progress.put("last_rate_bits", Float.floatToRawIntBits(run.lastRate()));
        EpochCallbacks.State cb = run.callbacks();
        ObjectNode callbacks = r.putObject("callbacks");
        callbacks.put("stop_best", cb.stopBest());
        callbacks.put("stop_best_epoch", cb.stopBestEpoch());
        callbacks.put("stop_wait", cb.stopWait());
        callbacks.put("plateau_best", cb.plateauBest());
        callbacks.put("plateau_bad", cb.plateauBad());
        callbacks.put("plateau_cooldown", cb.plateauCooldown());
        callbacks.put("plateau_multiplier_bits", Float.floatToRawIntBits(cb.plateauMultiplier()));
        callbacks.put("best_weights", cb.bestWeights() == null ? null
                : writeArray(store, "best-weights.bin", cb.bestWeights()));
        ArrayNode history = r.putArray("history");
        for (Map<String, Double> epoch : run.history()) {
            ObjectNode e = history.addObject();
            epoch.forEach(e::put);
        }
        root.put("input_width", c.scaler().shift().length);
        ModelFormat.writeScaler(c.scaler(), root.putObject("scaler"));
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
    public static Checkpoint read(StateStore store) throws IOException {
        String doc = store.describe(DOCUMENT);
        JsonNode root;
        try (InputStream in = store.open(DOCUMENT)) {
            root = JSON.readTree(in);
        } catch (FileNotFoundException e) {
            throw new ModelFormatException(doc + ": no checkpoint document here", e);
        } catch (JsonProcessingException e) {
            throw new ModelFormatException(doc + ": not valid JSON: " + e.getOriginalMessage(), e);
        } catch (java.io.CharConversionException e) { // bytes in no encoding JSON allows (found by fuzzing)
            throw new ModelFormatException(doc + ": not valid JSON: " + e.getMessage(), e);
        }
        Reader r = new Reader(store, doc, root);
        r.expect("format", FORMAT);
        int version = r.integer(root, "format_version");
        if (version != VERSION) {
            throw new ModelFormatException(doc + ": format_version " + version + " is not supported; this build reads "
                    + VERSION + (version < VERSION ? " (the checkpoint predates run ids and data fingerprints: "
                    + "start the run again)" : ""));
        }
        Map<String, String> settings = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = r.field(root, "settings").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            settings.put(e.getKey(), e.getValue().asText());
        }
        JsonNode data = r.field(root, "data");
        long[] rows = r.longs(data, "partition_rows", -1);
        DataFingerprint fingerprint = new DataFingerprint(rows, r.longs(data, "first_block_crc32c", rows.length),
                r.longs(data, "last_block_crc32c", rows.length));
        float[] weights = r.array(r.text(root, "weights"), -1);
        JsonNode opt = r.field(root, "optimizer");
        Map<String, float[]> state = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = r.field(opt, "state").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            state.put(e.getKey(), r.array(e.getValue().asText(), weights.length));
        }
        JsonNode run = r.field(root, "run");
        JsonNode cb = r.field(run, "callbacks");
        JsonNode best = r.field(cb, "best_weights");
        EpochCallbacks.State callbacks = new EpochCallbacks.State(r.real(cb, "stop_best"),
                r.integer(cb, "stop_best_epoch"), r.integer(cb, "stop_wait"), r.real(cb, "plateau_best"),
                r.integer(cb, "plateau_bad"), r.integer(cb, "plateau_cooldown"),
                Float.intBitsToFloat(r.integer(cb, "plateau_multiplier_bits")),
                best.isNull() ? null : r.array(best.asText(), weights.length));
        List<Map<String, Double>> history = new ArrayList<>();
        for (JsonNode e : r.field(run, "history")) {
            Map<String, Double> logs = new LinkedHashMap<>();
            e.fields().forEachRemaining(f -> logs.put(f.getKey(), f.getValue().asDouble()));
            history.add(logs);
        }
        JsonNode p = r.field(run, "epoch_progress");
        LossStats stats = new LossStats(r.real(p, "loss_sum"), r.longValue(p, "count"), r.longValue(p, "correct"));
        RunState.Snapshot snapshot = new RunState.Snapshot(r.integer(run, "epoch"), r.longValue(run, "step_in_epoch"),
                stats, r.real(p, "penalty_sum"), Float.intBitsToFloat(r.integer(p, "last_rate_bits")),
                r.longValue(run, "skipped_steps"), callbacks, history);
        FeatureScaler scaler = ModelFormat.readScaler(r.field(root, "scaler"), "scaler",
                r.integer(root, "input_width"), doc);
        return new Checkpoint(r.text(root, "run_id"), settings, fingerprint, weights, r.text(opt, "id"),
                r.longValue(opt, "iterations"), state, snapshot, scaler);
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

        long[] longs(JsonNode parent, String name, int expectedLength) throws ModelFormatException {
            JsonNode n = field(parent, name);
            if (!n.isArray() || (expectedLength >= 0 && n.size() != expectedLength)) {
                throw new ModelFormatException(doc + ": field '" + name + "' must be an array of "
                        + (expectedLength >= 0 ? expectedLength + " " : "") + "integers but was " + n);
            }
            long[] out = new long[n.size()];
            for (int i = 0; i < out.length; i++) {
                if (!n.get(i).isIntegralNumber() || !n.get(i).canConvertToLong()) {
                    throw new ModelFormatException(doc + ": field '" + name + "[" + i + "]' must be an integer but was "
                            + n.get(i));
                }
                out[i] = n.get(i).asLong();
            }
            return out;
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
