package io.dendrite.core.model;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Saves and loads a model as a directory ({@code model.json} + {@code weights.bin}): on the local file
 * system, or in any {@link StateStore} (the Spark jobs' Hadoop paths). Locally each file is written under
 * a temporary name and renamed into place, weights first, so a reader never sees a half-written model.
 */
public final class ModelFiles {
    private ModelFiles() {
    }

    /** Writes {@code model} into {@code dir}, creating it if needed; each file appears whole or not at all. */
    public static void save(Model model, Path dir) throws IOException {
        Files.createDirectories(dir);
        write(model, StateStore.local(dir), "."); // temporary names, then each file is moved into place
        for (String name : new String[] {ModelFormat.WEIGHTS_FILE, ModelFormat.MODEL_FILE}) {
            Files.move(dir.resolve("." + name + ".tmp"), dir.resolve(name), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Reads and validates the model in {@code dir}. */
    public static Model load(Path dir) throws IOException {
        return read(StateStore.local(dir));
    }

    /** Writes the weights, then the document that names them with their checksum, into {@code store}. */
    public static void write(Model model, StateStore store) throws IOException {
        write(model, store, "");
    }

    /** Writes as {@link #write(Model, StateStore)}; a non-empty {@code prefix} writes hidden {@code .NAME.tmp} files. */
    private static void write(Model model, StateStore store, String prefix) throws IOException {
        String suffix = prefix.isEmpty() ? "" : ".tmp";
        long crc;
        try (OutputStream out = store.create(prefix + ModelFormat.WEIGHTS_FILE + suffix)) {
            crc = WeightsFile.write(model.parameters(), out);
        }
        try (OutputStream out = store.create(prefix + ModelFormat.MODEL_FILE + suffix)) {
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
