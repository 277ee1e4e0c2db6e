package io.dendrite.spark;

import io.dendrite.core.model.Model;
import io.dendrite.core.model.ModelFiles;
import io.dendrite.core.model.ModelFormat;
import io.dendrite.core.model.ModelFormatException;
import io.dendrite.core.model.WeightsFile;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Model directories ({@code model.json} + {@code weights.bin}) on any Hadoop path. A save writes a
 * hidden sibling directory and renames it into place, so readers see the old model or the new one,
 * never a mix.
 */
public final class HadoopModels {
    private HadoopModels() {
    }

    /** Saves {@code model} as the directory {@code dir}, replacing what is there. */
    public static void save(Configuration conf, Model model, Path dir) throws IOException {
        FileSystem fs = dir.getFileSystem(conf);
        Path tmp = new Path(dir.getParent(), "." + dir.getName() + ".tmp-" + System.nanoTime());
        fs.mkdirs(tmp);
        long crc;
        try (OutputStream out = fs.create(new Path(tmp, ModelFormat.WEIGHTS_FILE), true)) {
            crc = WeightsFile.write(model.parameters(), out);
        }
        try (OutputStream out = fs.create(new Path(tmp, ModelFormat.MODEL_FILE), true)) {
            ModelFormat.writeDocument(model, crc, out);
        }
        if (fs.exists(dir)) {
            fs.delete(dir, true);
        }
        if (!fs.rename(tmp, dir)) {
            throw new IOException("could not rename " + tmp + " to " + dir);
        }
    }

    /** Loads and validates the model in {@code dir}. */
    public static Model load(Configuration conf, Path dir) throws IOException {
        FileSystem fs = dir.getFileSystem(conf);
        Path doc = new Path(dir, ModelFormat.MODEL_FILE);
        if (!fs.exists(doc)) {
            throw new ModelFormatException(doc + ": no model document here; a model directory holds "
                    + ModelFormat.MODEL_FILE + " and " + ModelFormat.WEIGHTS_FILE);
        }
        ModelFormat.Header h;
        try (InputStream in = fs.open(doc)) {
            h = ModelFormat.readDocument(in, doc.toString());
        }
        Path weights = new Path(dir, h.weightsFile());
        if (!fs.exists(weights)) {
            throw new ModelFormatException(weights + ": the weights file named by " + doc + " is missing");
        }
        try (InputStream in = fs.open(weights)) {
            return ModelFiles.assemble(h, WeightsFile.read(in, weights.toString(), h.weightCount()), weights.toString());
        }
    }
}
