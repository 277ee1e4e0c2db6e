package io.dendrite.core.model;

import java.io.BufferedOutputStream;
import java.io.FileNotFoundException;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/**
 * A directory of named files and sub-directories that models and checkpoints are written to and read
 * from. Implementations decide where it lives: a local folder here ({@link #local}), a Hadoop path in
 * the Spark modules. Names are plain names inside this directory.
 */
public interface StateStore {

    /** Creates (or replaces) the file {@code name}, creating this directory if needed. */
    OutputStream create(String name) throws IOException;

    /** Opens the file {@code name}; a missing file is a {@link FileNotFoundException}. */
    InputStream open(String name) throws IOException;

    /** The full name of {@code name}, for messages. */
    String describe(String name);

    /** The length in bytes of the file {@code name}, or -1 when there is no such file. */
    long size(String name) throws IOException;

    /** True when this directory exists. */
    boolean exists() throws IOException;

    /** The names of the sub-directories, sorted; none when this directory does not exist. */
    List<String> directories() throws IOException;

    /** The names of the files (not directories) here, sorted; none when this directory does not exist. */
    List<String> files() throws IOException;

    /** The store over the sub-directory {@code name} (created on the first write into it). */
    StateStore directory(String name) throws IOException;

    /** Renames the entry {@code from} to {@code to}, which must not exist; fails when it cannot. */
    void rename(String from, String to) throws IOException;

    /** Deletes the entry {@code name} and everything under it; nothing happens when it does not exist. */
    void delete(String name) throws IOException;

    /**
     * Moves the finished entry {@code from} to {@code to}. An entry already at {@code to} is moved aside
     * (to {@value #OLD_MARK}…) first and deleted only once {@code from} is in place (put back if that move
     * fails), so there is never a moment without a complete copy at either name; a crash between the two
     * moves leaves the old copy aside, which {@link #recover} (called here and by every reader) puts back.
     */
    default void replace(String from, String to) throws IOException {
        recover(to);
        if (!directory(to).exists() && size(to) < 0) {
            rename(from, to);
            return;
        }
        String old = "." + to + OLD_MARK + System.nanoTime();
        rename(to, old);
        try {
            rename(from, to);
        } catch (IOException e) {
            rename(old, to);
            throw e;
        }
        for (String d : directories()) { // this copy, and any a crash after an earlier replace left
            if (d.startsWith("." + to + OLD_MARK)) {
                delete(d);
            }
        }
    }

    /** What marks a directory moved aside by {@link #replace}: {@code .NAME.old-STAMP}. */
    String OLD_MARK = ".old-";

    /**
     * Puts back the directory {@code name} when a crash inside {@link #replace} left it moved aside: when
     * {@code name} is missing and a {@code .name.old-STAMP} copy (complete: it was in place before) exists,
     * the newest is renamed back. True when one was.
     */
    default boolean recover(String name) throws IOException {
        if (directory(name).exists() || size(name) >= 0) {
            return false;
        }
        String newest = null;
        for (String d : directories()) {
            if (d.startsWith("." + name + OLD_MARK) && (newest == null || d.compareTo(newest) > 0)) {
                newest = d;
            }
        }
        if (newest == null) {
            return false;
        }
        rename(newest, name);
        return true;
    }

    /** {@link #recover} for every directory here that a crash inside {@link #replace} left moved aside. */
    default void recoverAll() throws IOException {
        for (String d : directories()) {
            int mark = d.lastIndexOf(OLD_MARK);
            if (d.startsWith(".") && mark > 1) {
                recover(d.substring(1, mark));
            }
        }
    }

    /** A store over the local directory {@code dir}. */
    static StateStore local(Path dir) {
        return new StateStore() {
            /** A file whose bytes are on the disk (fsync) when its stream is closed, before any rename of it. */
            @Override
            public OutputStream create(String name) throws IOException {
                Files.createDirectories(dir);
                FileChannel ch = FileChannel.open(dir.resolve(name), StandardOpenOption.CREATE,
                        StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
                return new BufferedOutputStream(new FilterOutputStream(Channels.newOutputStream(ch)) {
                    @Override
                    public void write(byte[] b, int off, int len) throws IOException {
                        out.write(b, off, len);
                    }

                    @Override
                    public void close() throws IOException {
                        try (ch) {
                            ch.force(true);
                        }
                    }
                }, 1 << 16);
            }

            @Override
            public InputStream open(String name) throws IOException {
                try {
                    return Files.newInputStream(dir.resolve(name));
                } catch (NoSuchFileException e) {
                    throw new FileNotFoundException(describe(name));
                }
            }

            @Override
            public String describe(String name) {
                return dir.resolve(name).toString();
            }

            @Override
            public long size(String name) throws IOException {
                Path p = dir.resolve(name);
                return Files.isRegularFile(p) ? Files.size(p) : -1;
            }

            @Override
            public boolean exists() {
                return Files.isDirectory(dir);
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
                if (!Files.isDirectory(dir)) {
                    return out;
                }
                try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, p -> Files.isDirectory(p) == directories)) {
                    s.forEach(p -> out.add(p.getFileName().toString()));
                }
                out.sort(null);
                return out;
            }

            @Override
            public StateStore directory(String name) {
                return local(dir.resolve(name));
            }

            /** An atomic move, then an fsync of this directory, so the new name survives a power cut. */
            @Override
            public void rename(String from, String to) throws IOException {
                Files.move(dir.resolve(from), dir.resolve(to), StandardCopyOption.ATOMIC_MOVE);
                try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                    d.force(true);
                }
            }

            @Override
            public void delete(String name) throws IOException {
                Path p = dir.resolve(name);
                if (!Files.exists(p)) {
                    return;
                }
                Files.walkFileTree(p, new SimpleFileVisitor<>() {
                    @Override
                    public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
                        Files.delete(f);
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                        if (e != null) {
                            throw e;
                        }
                        Files.delete(d);
                        return FileVisitResult.CONTINUE;
                    }
                });
            }
        };
    }
}
