package io.dendrite.datasets;

import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.compress.CompressionCodec;
import org.apache.hadoop.io.compress.CompressionCodecFactory;

/**
 * Paths through Hadoop's FileSystem, so {@code file:}, {@code hdfs:} and {@code s3a:} work alike: globs
 * and directories expand to their files (hidden {@code _} and {@code .} files skipped), and compressed
 * files open through their codec.
 */
public final class HadoopFiles {
    private HadoopFiles() {
    }

    /** Every file that {@code patterns} (comma-separated, globs, directories) names; fails when there is none. */
    public static List<Path> expand(Configuration conf, String patterns) {
        List<Path> files = new ArrayList<>();
        try {
            for (String pattern : patterns.split(",")) {
                Path p = new Path(pattern.trim());
                FileSystem fs = p.getFileSystem(conf);
                FileStatus[] matches = fs.globStatus(p);
                if (matches == null || matches.length == 0) {
                    throw new IllegalArgumentException("empty input: no file matches '" + pattern.trim() + "'");
                }
                for (FileStatus s : matches) {
                    addFiles(fs, s, files);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("listing " + patterns, e);
        }
        if (files.isEmpty()) {
            throw new IllegalArgumentException("empty input: '" + patterns + "' holds no files");
        }
        return files;
    }

    private static void addFiles(FileSystem fs, FileStatus s, List<Path> out) throws IOException {
        String name = s.getPath().getName();
        if (name.startsWith("_") || name.startsWith(".")) {
            return;
        }
        if (s.isDirectory()) {
            for (FileStatus child : fs.listStatus(s.getPath())) {
                addFiles(fs, child, out);
            }
        } else {
            out.add(s.getPath());
        }
    }

    /** Opens {@code path}, decompressing by its extension (e.g. {@code .gz}). */
    public static InputStream open(Configuration conf, Path path) throws IOException {
        InputStream raw = path.getFileSystem(conf).open(path);
        CompressionCodec codec = new CompressionCodecFactory(conf).getCodec(path);
        return codec == null ? raw : codec.createInputStream(raw);
    }

    /** A Hadoop configuration that travels inside a task's closure. */
    public static final class SerializableConf implements Serializable {
        private static final long serialVersionUID = 1L;
        private transient Configuration conf;

        /** Wraps {@code conf}. */
        public SerializableConf(Configuration conf) {
            this.conf = conf;
        }

        /** The configuration. */
        public Configuration get() {
            return conf;
        }

        private void writeObject(ObjectOutputStream out) throws IOException {
            out.defaultWriteObject();
            conf.write(out);
        }

        private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
            in.defaultReadObject();
            conf = new Configuration(false);
            conf.readFields(in);
        }
    }
}
