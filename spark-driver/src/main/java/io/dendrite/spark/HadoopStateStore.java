package io.dendrite.spark;

import io.dendrite.core.model.StateStore;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/** A {@link StateStore} over a directory on any Hadoop file system ({@code file:}, {@code hdfs:}, {@code s3a:}). */
final class HadoopStateStore implements StateStore {
    private final FileSystem fs;
    private final Path dir;

    HadoopStateStore(Configuration conf, Path dir) throws IOException {
        this.fs = dir.getFileSystem(conf);
        this.dir = dir;
    }

    @Override
    public OutputStream create(String name) throws IOException {
        return fs.create(new Path(dir, name), true);
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
        return new Path(dir, name).toString();
    }
}
