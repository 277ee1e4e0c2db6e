package io.dendrite.spark.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/** Checks on the paths a job is given, compared fully qualified on their file systems; outputs swapped in whole. */
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

    /**
     * {@link #requireApart} for every path of an input the readers take: comma-separated paths, each a
     * file, a directory or a glob, checked as written and as each file or directory it matches now.
     */
    static void requireApartFromInput(Configuration conf, String what, String path, String input, String advice) {
        for (String pattern : patterns(input)) {
            requireApart(conf, what, path, "--input", pattern, advice);
            Path p = new Path(pattern);
            try {
                FileStatus[] matches = p.getFileSystem(conf).globStatus(p);
                for (FileStatus m : matches == null ? new FileStatus[0] : matches) {
                    requireApart(conf, what, path, "--input " + pattern + ", which matches", m.getPath().toString(),
                            advice);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list --input " + pattern, e);
            }
        }
    }

    /** The paths of a comma-separated input, as the readers split it. */
    static List<String> patterns(String input) {
        List<String> out = new ArrayList<>();
        for (String s : input.split(",")) {
            if (!s.isBlank()) {
                out.add(s.trim());
            }
        }
        if (out.isEmpty()) {
            throw new JobConfigException("--input names no path");
        }
        return out;
    }

    /**
     * An output written beside its final place and swapped in only when complete: a failure at any point
     * before {@link #commit} leaves an old output as it was.
     */
    static final class StagedOutput {
        private final FileSystem fs;
        private final Path target;
        private final Path staging;

        /** Refuses an existing {@code output} unless {@code overwrite}; the staging path is a hidden sibling. */
        StagedOutput(Configuration conf, String output, boolean overwrite) {
            target = new Path(output);
            try {
                fs = target.getFileSystem(conf);
                if (!overwrite && fs.exists(target)) {
                    throw new JobConfigException("--output " + output + " already exists; pass --overwrite true to "
                            + "replace it (the old output stays until the new one is complete)");
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot check --output " + output, e);
            }
            String id = UUID.randomUUID().toString().substring(0, 8);
            staging = new Path(target.getParent(), "." + target.getName() + ".dendrite-new-" + id);
        }

        /** Where the job writes. */
        String staging() {
            return staging.toString();
        }

        /**
         * Swaps the complete new output in: the old one (if any) is renamed aside first and deleted only
         * after the new one has its place, so a crash in between leaves both, under their names.
         */
        void commit() {
            Path old = new Path(target.getParent(), "." + target.getName() + ".dendrite-old-"
                    + staging.getName().substring(staging.getName().lastIndexOf('-') + 1));
            try {
                boolean hadOld = fs.exists(target);
                if (hadOld && !fs.rename(target, old)) {
                    throw new IOException("cannot rename " + target + " to " + old);
                }
                if (!fs.rename(staging, target)) {
                    if (hadOld) {
                        fs.rename(old, target);
                    }
                    throw new IOException("cannot rename " + staging + " to " + target);
                }
                if (hadOld) {
                    fs.delete(old, true);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot put the new output in place of " + target + "; it is at "
                        + staging, e);
            }
        }

        /** Removes whatever the job wrote; the old output is untouched. */
        void abandon() {
            try {
                fs.delete(staging, true);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot remove the incomplete output " + staging, e);
            }
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
