package io.dendrite.spark;

import io.dendrite.ps.CheckpointFormat;
import io.dendrite.ps.TrainingCheckpoint;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Checkpoint directories under a root on any Hadoop path: {@code step-000000120/}, each written under a
 * hidden temporary name and renamed into place once complete, so a reader never sees half a checkpoint.
 * Older ones beyond {@code keep} are removed after a new one lands.
 */
public final class Checkpoints {
    private static final String PREFIX = "step-";

    private Checkpoints() {
    }

    /** Writes {@code c} as the checkpoint of step {@code step} under {@code root} and returns its path. */
    public static Path write(Configuration conf, Path root, long step, TrainingCheckpoint c, int keep)
            throws IOException {
        FileSystem fs = root.getFileSystem(conf);
        fs.mkdirs(root);
        String name = String.format(Locale.ROOT, "%s%09d", PREFIX, step);
        Path tmp = new Path(root, "." + name + ".tmp-" + System.nanoTime());
        fs.mkdirs(tmp);
        CheckpointFormat.write(c, new HadoopStateStore(conf, tmp));
        Path target = new Path(root, name);
        if (fs.exists(target)) {
            fs.delete(target, true);
        }
        if (!fs.rename(tmp, target)) {
            throw new IOException("could not rename checkpoint " + tmp + " to " + target);
        }
        List<Path> all = list(fs, root);
        for (int i = 0; i < all.size() - Math.max(1, keep); i++) {
            fs.delete(all.get(i), true);
        }
        return target;
    }

    /**
     * Reads a checkpoint: {@code path} is either one checkpoint directory or a root holding several, in
     * which case the latest complete one is taken.
     */
    public static TrainingCheckpoint read(Configuration conf, Path path) throws IOException {
        return CheckpointFormat.read(new HadoopStateStore(conf, resolve(conf, path)));
    }

    /** The checkpoint directory {@code path} names, or the latest one under it. */
    public static Path resolve(Configuration conf, Path path) throws IOException {
        FileSystem fs = path.getFileSystem(conf);
        if (!fs.exists(path)) {
            throw new IllegalArgumentException("resume: checkpoint path " + path + " does not exist");
        }
        if (fs.exists(new Path(path, CheckpointFormat.DOCUMENT))) {
            return path;
        }
        List<Path> all = list(fs, path);
        if (all.isEmpty()) {
            throw new IllegalArgumentException("resume: " + path + " holds neither " + CheckpointFormat.DOCUMENT
                    + " nor any complete " + PREFIX + "* checkpoint directory");
        }
        return all.get(all.size() - 1);
    }

    /** Complete checkpoints under {@code root}, oldest first. */
    private static List<Path> list(FileSystem fs, Path root) throws IOException {
        List<Path> out = new ArrayList<>();
        for (FileStatus s : fs.listStatus(root)) {
            String n = s.getPath().getName();
            if (s.isDirectory() && n.startsWith(PREFIX) && fs.exists(new Path(s.getPath(), CheckpointFormat.DOCUMENT))) {
                out.add(s.getPath());
            }
        }
        out.sort((a, b) -> a.getName().compareTo(b.getName()));
        return out;
    }
}
