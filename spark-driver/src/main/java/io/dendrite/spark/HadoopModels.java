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
        Path d = named(dir);
        ModelFiles.save(model, HadoopStateStore.at(conf, d.getParent()), d.getName());
    }

    /**
     * Writes {@code model} as an ONNX model file at {@code file}, whole or not at all: a hidden sibling, then
     * one rename over the old file (FileContext's OVERWRITE rename: atomic on HDFS and local files), so the
     * old file is never deleted before the new one is in place.
     */
    public static void exportOnnx(Configuration conf, Model model, Path file) throws IOException {
        org.apache.hadoop.fs.FileSystem fs = file.getFileSystem(conf);
        Path tmp = new Path(file.getParent(), "." + file.getName() + ".tmp-" + System.nanoTime());
        try (org.apache.hadoop.fs.FSDataOutputStream out = fs.create(tmp, true)) {
            OnnxExport.write(model, out);
            out.hsync();
        }
        try {
            org.apache.hadoop.fs.FileContext.getFileContext(file.toUri(), conf).rename(tmp, file,
                    org.apache.hadoop.fs.Options.Rename.OVERWRITE);
        } catch (IOException e) {
            fs.delete(tmp, false);
            throw new IOException("cannot rename " + tmp + " to " + file + ": " + e.getMessage(), e);
        }
    }

    /** Loads and validates the model in {@code dir}, first putting back one a crash inside a save left aside. */
    public static Model load(Configuration conf, Path dir) throws IOException {
        Path d = named(dir);
        if (d.getParent() != null) {
            HadoopStateStore.at(conf, d.getParent()).recover(d.getName());
        }
        return ModelFiles.read(HadoopStateStore.at(conf, d));
    }

    /** {@code dir} without a trailing slash (a directory's URI has one), so it has a name within its parent. */
    private static Path named(Path dir) {
        String s = dir.toString();
        return s.endsWith("/") && s.length() > 1 && dir.getParent() != null ? new Path(s.substring(0, s.length() - 1))
                : dir;
    }
}
