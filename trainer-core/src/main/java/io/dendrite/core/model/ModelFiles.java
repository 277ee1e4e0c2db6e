package io.dendrite.core.model;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Saves and loads a model as a directory ({@code model.json} + {@code weights.bin}) on the local file
 * system. Each file is written under a temporary name and renamed into place, weights first, so a
 * reader never sees a half-written model. The Spark jobs do the same through Hadoop's FileSystem.
 */
public final class ModelFiles {
    private ModelFiles() {
    }

    /** Writes {@code model} into {@code dir}, creating it if needed. */
    public static void save(Model model, Path dir) throws IOException {
        Files.createDirectories(dir);
        Path weightsTmp = dir.resolve("." + ModelFormat.WEIGHTS_FILE + ".tmp");
        long crc;
        try (OutputStream out = Files.newOutputStream(weightsTmp)) {
            crc = WeightsFile.write(model.parameters(), out);
        }
        Path docTmp = dir.resolve("." + ModelFormat.MODEL_FILE + ".tmp");
        try (OutputStream out = Files.newOutputStream(docTmp)) {
            ModelFormat.writeDocument(model, crc, out);
        }
        Files.move(weightsTmp, dir.resolve(ModelFormat.WEIGHTS_FILE), StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);
        Files.move(docTmp, dir.resolve(ModelFormat.MODEL_FILE), StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);
    }

    /** Reads and validates the model in {@code dir}. */
    public static Model load(Path dir) throws IOException {
        Path doc = dir.resolve(ModelFormat.MODEL_FILE);
        ModelFormat.Header h;
        try (InputStream in = Files.newInputStream(doc)) {
            h = ModelFormat.readDocument(in, doc.toString());
        } catch (NoSuchFileException e) {
            throw new ModelFormatException(doc + ": no model document here; a model directory holds "
                    + ModelFormat.MODEL_FILE + " and " + ModelFormat.WEIGHTS_FILE, e);
        }
        Path weights = dir.resolve(h.weightsFile());
        float[] params;
        try (InputStream in = Files.newInputStream(weights)) {
            params = WeightsFile.read(in, weights.toString(), h.weightCount());
        } catch (NoSuchFileException e) {
            throw new ModelFormatException(weights + ": the weights file named by " + doc + " is missing", e);
        }
        return assemble(h, params, weights.toString());
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
