package io.dendrite.core.model;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.nio.file.Path;

/**
 * Saves and loads a model as a directory ({@code model.json} + {@code weights.bin}): on the local file
 * system, or in any {@link StateStore} (the Spark jobs' Hadoop paths). A save writes a hidden sibling
 * directory and swaps it in whole ({@link StateStore#replace}), so a reader sees the old model or the new
 * one, never new weights with an old document, and a crash at any point leaves a complete copy.
 */
public final class ModelFiles {
    private ModelFiles() {
    }

    /** Writes {@code model} as the directory {@code dir}, replacing a model there (and only a model) whole. */
    public static void save(Model model, Path dir) throws IOException {
        Path abs = dir.toAbsolutePath();
        save(model, StateStore.local(abs.getParent()), abs.getFileName().toString());
    }

    /**
     * Writes {@code model} as the directory {@code name} of {@code parent}: into a hidden sibling first, which
     * then replaces the directory whole.
     */
    public static void save(Model model, StateStore parent, String name) throws IOException {
        StateStore target = parent.directory(name);
        List<String> others = new ArrayList<>(target.directories());
        for (String f : target.files()) {
            if (!f.equals(ModelFormat.MODEL_FILE) && !f.equals(ModelFormat.WEIGHTS_FILE) && !f.startsWith(".")) {
                others.add(f);
            }
        }
        if (!others.isEmpty()) {
            // The swap replaces the directory whole: never over anything but a model.
            throw new IllegalArgumentException(parent.describe(name) + " holds " + others + " besides a model; a "
                    + "model directory holds only " + ModelFormat.MODEL_FILE + " and " + ModelFormat.WEIGHTS_FILE
                    + ", so save it elsewhere");
        }
        String tmp = "." + name + ".tmp-" + System.nanoTime();
        write(model, parent.directory(tmp));
        parent.replace(tmp, name);
    }

    /** Reads and validates the model in {@code dir}. */
    public static Model load(Path dir) throws IOException {
        Path abs = dir.toAbsolutePath();
        StateStore.local(abs.getParent()).recover(abs.getFileName().toString());
        return read(StateStore.local(dir));
    }

    /** Writes the weights, then the document that names them with their checksum, into {@code store}. */
    public static void write(Model model, StateStore store) throws IOException {
        long crc;
        try (OutputStream out = store.create(ModelFormat.WEIGHTS_FILE)) {
            crc = WeightsFile.write(model.parameters(), out);
        }
        try (OutputStream out = store.create(ModelFormat.MODEL_FILE)) {
            ModelFormat.writeDocument(model, crc, out);
        }
    }

    /** Reads and validates the model in {@code store}, naming the file at fault. */
    public static Model read(StateStore store) throws IOException {
        String doc = store.describe(ModelFormat.MODEL_FILE);
        ModelFormat.Header h;
        try (InputStream in = store.open(ModelFormat.MODEL_FILE)) {
            h = ModelFormat.readDocument(in, doc);
        } catch (FileNotFoundException e) {
            throw new ModelFormatException(doc + ": no model document here; a model directory holds "
                    + ModelFormat.MODEL_FILE + " and " + ModelFormat.WEIGHTS_FILE, e);
        }
        String weights = store.describe(h.weightsFile());
        float[] params;
        try (InputStream in = store.open(h.weightsFile())) {
            params = WeightsFile.read(in, weights, h.weightCount());
        } catch (FileNotFoundException e) {
            throw new ModelFormatException(weights + ": the weights file named by " + doc + " is missing", e);
        }
        return assemble(h, params, weights);
    }

    /** Joins a validated document and its weights, checking the document's checksum matches the file's. */
    public static Model assemble(ModelFormat.Header h, float[] params, String weightsSource) throws ModelFormatException {
        long fileCrc = crcOf(params);
        if (fileCrc != h.crc32()) {
            throw new ModelFormatException(String.format("%s: checksum %08x does not match the %08x recorded in %s; "
                    + "the weights belong to another model", weightsSource, fileCrc, h.crc32(), ModelFormat.MODEL_FILE));
        }
        try {
            return new Model(h.spec(), h.loss(), params, h.scaler(), h.labels(), h.summary());
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(weightsSource + ": " + e.getMessage(), e);
        }
    }

    private static long crcOf(float[] params) {
        try {
            return WeightsFile.write(params, OutputStream.nullOutputStream());
        } catch (IOException e) {
            throw new IllegalStateException("writing to a null stream cannot fail", e);
        }
    }
}
