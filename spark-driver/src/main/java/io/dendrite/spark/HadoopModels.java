package io.dendrite.spark;

import io.dendrite.core.model.Model;
import io.dendrite.core.model.ModelFiles;
import io.dendrite.core.onnx.OnnxExport;
import java.io.IOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * Model directories ({@code model.json} + {@code weights.bin}) on any Hadoop path. A save writes a
 * hidden sibling directory and renames it into place ({@link HadoopStateStore#replace}), so readers see
 * the old model or the new one, never a mix, and a model is never deleted before its replacement is in
 * place.
 */
public final class HadoopModels {
    private HadoopModels() {
    }

    /** Saves {@code model} as the directory {@code dir}, replacing what is there. */
    public static void save(Configuration conf, Model model, Path dir) throws IOException {
        HadoopStateStore parent = HadoopStateStore.at(conf, dir.getParent());
        String tmp = "." + dir.getName() + ".tmp-" + System.nanoTime();
        ModelFiles.write(model, parent.directory(tmp));
        parent.replace(tmp, dir.getName());
    }

    /** Writes {@code model} as an ONNX model file at {@code file} (replacing it), whole or not at all. */
    public static void exportOnnx(Configuration conf, Model model, Path file) throws IOException {
        org.apache.hadoop.fs.FileSystem fs = file.getFileSystem(conf);
        Path tmp = new Path(file.getParent(), "." + file.getName() + ".tmp-" + System.nanoTime());
        try (java.io.OutputStream out = fs.create(tmp, true)) {
            OnnxExport.write(model, out);
        }
        if (fs.exists(file) && !fs.delete(file, false)) {
            throw new IOException("cannot replace " + file);
        }
        if (!fs.rename(tmp, file)) {
            fs.delete(tmp, false);
            throw new IOException("cannot rename " + tmp + " to " + file);
        }
    }

    /** Loads and validates the model in {@code dir}. */
    public static Model load(Configuration conf, Path dir) throws IOException {
        return ModelFiles.read(HadoopStateStore.at(conf, dir));
    }
}
