package io.dendrite.spark.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/** Checks on the paths a job is given, compared fully qualified on their file systems. */
final class HadoopPaths {
    private HadoopPaths() {
    }

    /**
     * Refuses {@code path} (named {@code what}) when it is, is inside, or contains {@code other} (named
     * {@code otherWhat}): writing one would replace or delete the other. {@code advice} says what to do.
     */
    static void requireApart(Configuration conf, String what, String path, String otherWhat, String other,
                             String advice) {
        String a = qualified(conf, path);
        String b = qualified(conf, other);
        if (a.equals(b) || a.startsWith(b + "/") || b.startsWith(a + "/")) {
            throw new JobConfigException(what + " " + path + " " + (a.equals(b) ? "is" : a.startsWith(b + "/")
                    ? "is inside" : "contains") + " " + otherWhat + " " + other + "; " + advice);
        }
    }

    private static String qualified(Configuration conf, String path) {
        Path p = new Path(path);
        try {
            String q = p.getFileSystem(conf).makeQualified(p).toString();
            return q.endsWith("/") ? q.substring(0, q.length() - 1) : q;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot resolve " + path, e);
        }
    }
}
