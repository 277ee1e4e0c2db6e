package io.dendrite.spark;

import io.dendrite.core.model.StateStore;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/** A {@link StateStore} over a directory on any Hadoop file system ({@code file:}, {@code hdfs:}, {@code s3a:}). */
public final class HadoopStateStore implements StateStore {
    private final FileSystem fs;
    private final Path dir;

    private HadoopStateStore(FileSystem fs, Path dir) {
        this.fs = fs;
        this.dir = dir;
    }

    /** The store over {@code dir} on its file system under {@code conf}. */
    public static HadoopStateStore at(Configuration conf, Path dir) throws IOException {
        return new HadoopStateStore(dir.getFileSystem(conf), dir);
    }

    @Override
    public OutputStream create(String name) throws IOException {
        org.apache.hadoop.fs.FSDataOutputStream file = fs.create(new Path(dir, name), true);
        // The bytes reach the disks (hsync: HDFS' datanodes, a local file's fsync where the stream can) before
        // the stream closes, so the rename that follows never names a file a power cut could empty.
        return new java.io.FilterOutputStream(file) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                file.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                try (file) {
                    file.hsync();
                }
            }
        };
    }

    @Override
    public InputStream open(String name) throws IOException {
        Path p = new Path(dir, name);
        if (!fs.exists(p)) {
            throw new FileNotFoundException(p.toString());
        }
        return fs.open(p);
    }

    @Override
    public String describe(String name) {
        return name.isEmpty() ? dir.toString() : new Path(dir, name).toString();
    }

    @Override
    public long size(String name) throws IOException {
        try {
            FileStatus s = fs.getFileStatus(new Path(dir, name));
            return s.isFile() ? s.getLen() : -1;
        } catch (FileNotFoundException e) {
            return -1;
        }
    }

    @Override
    public boolean exists() throws IOException {
        return fs.isDirectory(dir);
    }

    @Override
    public List<String> directories() throws IOException {
        return entries(true);
    }

    @Override
    public List<String> files() throws IOException {
        return entries(false);
    }

    private List<String> entries(boolean directories) throws IOException {
        List<String> out = new ArrayList<>();
        if (!fs.isDirectory(dir)) {
            return out;
        }
        for (FileStatus s : fs.listStatus(dir)) {
            if (s.isDirectory() == directories) {
                out.add(s.getPath().getName());
            }
        }
        out.sort(null);
        return out;
    }

    @Override
    public StateStore directory(String name) {
        return new HadoopStateStore(fs, new Path(dir, name));
    }

    @Override
    public void rename(String from, String to) throws IOException {
        Path target = new Path(dir, to);
        if (fs.exists(target) || !fs.rename(new Path(dir, from), target)) {
            throw new IOException("could not rename " + new Path(dir, from) + " to " + target);
        }
    }

    @Override
    public void delete(String name) throws IOException {
        fs.delete(new Path(dir, name), true);
    }
}
