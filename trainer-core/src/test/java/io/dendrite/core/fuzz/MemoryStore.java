package io.dendrite.core.fuzz;

import io.dendrite.core.model.StateStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FileNotFoundException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** A {@link StateStore} in memory: the fuzz targets' files, without a disk between two inputs. */
public final class MemoryStore implements StateStore {
    private final Map<String, byte[]> shared;
    private final String prefix;

    /** An empty store. */
    public MemoryStore() {
        this(new TreeMap<>(), "");
    }

    private MemoryStore(Map<String, byte[]> shared, String prefix) {
        this.prefix = prefix;
        this.shared = shared;
    }

    /** Puts {@code bytes} as the file {@code name}. */
    public MemoryStore put(String name, byte[] bytes) {
        shared.put(prefix + name, bytes.clone());
        return this;
    }

    /** The bytes of the file {@code name}, or null. */
    public byte[] get(String name) {
        return shared.get(prefix + name);
    }

    @Override
    public OutputStream create(String name) {
        return new ByteArrayOutputStream() {
            @Override
            public void close() {
                shared.put(prefix + name, toByteArray());
            }
        };
    }

    @Override
    public InputStream open(String name) throws FileNotFoundException {
        byte[] b = shared.get(prefix + name);
        if (b == null) {
            throw new FileNotFoundException(describe(name));
        }
        return new ByteArrayInputStream(b);
    }

    @Override
    public String describe(String name) {
        return "mem:/" + prefix + name;
    }

    @Override
    public long size(String name) {
        byte[] b = shared.get(prefix + name);
        return b == null ? -1 : b.length;
    }

    @Override
    public boolean exists() {
        return shared.keySet().stream().anyMatch(k -> k.startsWith(prefix));
    }

    @Override
    public List<String> directories() {
        List<String> out = new ArrayList<>();
        for (String k : shared.keySet()) {
            String rest = k.startsWith(prefix) ? k.substring(prefix.length()) : null;
            if (rest != null && rest.contains("/")) {
                String d = rest.substring(0, rest.indexOf('/'));
                if (!out.contains(d)) {
                    out.add(d);
                }
            }
        }
        return out;
    }

    @Override
    public List<String> files() {
        List<String> out = new ArrayList<>();
        for (String k : shared.keySet()) {
            if (k.startsWith(prefix) && !k.substring(prefix.length()).contains("/")) {
                out.add(k.substring(prefix.length()));
            }
        }
        return out;
    }

    @Override
    public StateStore directory(String name) {
        return new MemoryStore(shared, prefix + name + "/");
    }

    @Override
    public void rename(String from, String to) {
        for (String k : new ArrayList<>(shared.keySet())) {
            String f = prefix + from;
            if (k.equals(f) || k.startsWith(f + "/")) {
                shared.put(prefix + to + k.substring(f.length()), shared.remove(k));
            }
        }
    }

    @Override
    public void delete(String name) {
        String f = prefix + name;
        shared.keySet().removeIf(k -> k.equals(f) || k.startsWith(f + "/"));
    }
}
