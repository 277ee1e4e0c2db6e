package io.dendrite.spark;

import io.dendrite.core.model.Model;
import io.dendrite.core.model.ModelFiles;
import java.io.IOException;
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
        ModelFiles.write(model, new HadoopStateStore(conf, tmp));
        if (fs.exists(dir)) {
            fs.delete(dir, true);
        }
        if (!fs.rename(tmp, dir)) {
            throw new IOException("could not rename " + tmp + " to " + dir);
        }
    }

    /** Loads and validates the model in {@code dir}. */
    public static Model load(Configuration conf, Path dir) throws IOException {
        return ModelFiles.read(new HadoopStateStore(conf, dir));
    }
}
