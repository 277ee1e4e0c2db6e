package io.dendrite.core.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dendrite.core.model.ForwardingStateStore;
import io.dendrite.core.model.ModelFormatException;
import io.dendrite.core.model.StateStore;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * The checkpoint directories of runs under a root, on any {@link StateStore}: {@code step-000000120/}
 * for a checkpoint inside an epoch, {@code step-000000120-epoch-end/} for one after an epoch's
 * validation and callbacks. A checkpoint is written under a hidden temporary name, ends with
 * {@value #MANIFEST} (its run, and every file with its size and CRC-32C), and is renamed into place. A
 * directory is complete only when its manifest is there and every file it lists has the listed size,
 * so one copied file by file (object stores rename by copying) is never taken half-written; reading
 * also checks every checksum. A root belongs to one run: a new run refuses a root that holds
 * checkpoints, a resumed run one that holds another run's. Pruning keeps the newest {@code keep}
 * complete checkpoints of the run and never deletes the one just written.
 */
public final class Checkpoints {
    /** The file that makes a checkpoint directory complete; written last. */
    public static final String MANIFEST = "manifest.json";
    private static final String PREFIX = "step-";
    private static final String EPOCH_END = "-epoch-end";
    private static final String MANIFEST_FORMAT = "dendrite-checkpoint-manifest";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    /** Oldest first: by step, and at one step the in-epoch checkpoint before the epoch-end one. */
    private static final Comparator<String> ORDER = Comparator.comparingLong(Checkpoints::stepOf)
            .thenComparing(n -> n.endsWith(EPOCH_END));

    private Checkpoints() {
    }

    /** A checkpoint found to resume from: its directory and what it holds, and the newer ones passed over. */
    public record Found(String where, Checkpoint checkpoint, List<String> skipped) {
    }

    /** The name of the checkpoint after optimiser step {@code step}; {@code epochEnd} after an epoch ends. */
    public static String name(long step, boolean epochEnd) {
        return String.format(Locale.ROOT, "%s%09d%s", PREFIX, step, epochEnd ? EPOCH_END : "");
    }

    /**
     * Refuses to write under {@code root} when it holds checkpoints of another run: any at all for a new
     * run ({@code runId} null), or any complete one with another run id for a resumed run.
     */
    public static void requireOwnRoot(StateStore root, String runId, String resumedFrom) throws IOException {
        for (String name : checkpointNames(root)) {
            String owner = runOf(root.directory(name));
            if (runId == null || (owner != null && !owner.equals(runId))) {
                throw new IllegalArgumentException(String.format(Locale.ROOT, "checkpoint directory %s already holds "
                        + "checkpoints of %s (%s); to continue that run, resume from %s; to start a new run, choose "
                        + "another checkpoint directory%s", root.describe(""), owner == null ? "an unfinished run"
                        : "run " + owner, name, root.describe(""), runId != null && resumedFrom != null
                        ? " (this run, " + runId + ", was resumed from " + resumedFrom + ")" : ""));
            }
        }
    }

    /**
     * Writes {@code c} as the checkpoint {@code name} under {@code root}, replacing one of that name only
     * once the new one is complete, then removes this run's oldest complete checkpoints beyond
     * {@code keep}. Returns where it was written.
     */
    public static String write(StateStore root, String name, Checkpoint c, int keep) throws IOException {
        String tmp = "." + name + ".tmp-" + System.nanoTime();
        Recording files = new Recording(root.directory(tmp));
        CheckpointFormat.write(c, files);
        ObjectNode manifest = JSON.createObjectNode();
        manifest.put("format", MANIFEST_FORMAT);
        manifest.put("run_id", c.runId());
        manifest.put("step", c.iterations());
        ArrayNode list = manifest.putArray("files");
        files.written.forEach((file, sizeAndCrc) -> {
            ObjectNode f = list.addObject();
            f.put("name", file);
            f.put("bytes", sizeAndCrc[0]);
            f.put("crc32c", String.format(Locale.ROOT, "%08x", sizeAndCrc[1]));
        });
        try (OutputStream out = files.create(MANIFEST)) {
            JSON.writeValue(out, manifest);
        }
        root.replace(tmp, name);
        List<String> mine = new ArrayList<>();
        for (String n : checkpointNames(root)) {
            if (!n.equals(name) && incompleteReason(root.directory(n)) == null && c.runId().equals(runOf(root.directory(n)))) {
                mine.add(n);
            }
        }
        for (int i = 0; i < mine.size() - (Math.max(1, keep) - 1); i++) {
            root.delete(mine.get(i));
        }
        return root.describe(name);
    }

    /**
     * The checkpoint to resume from at {@code path}: the checkpoint directory it names, or the newest
     * complete checkpoint under the root it names, passing over incomplete or damaged newer ones (each
     * listed in {@link Found#skipped} with why).
     */
    public static Found latest(StateStore path) throws IOException {
        if (path.exists()) {
            path.recoverAll(); // a checkpoint a crash inside a replace left aside is still a checkpoint
        }
        if (!path.exists()) {
            throw new IllegalArgumentException("resume: checkpoint path " + path.describe("") + " does not exist");
        }
        if (path.size(MANIFEST) >= 0 || path.size(CheckpointFormat.DOCUMENT) >= 0) {
            String reason = incompleteReason(path);
            if (reason != null) {
                throw new IllegalArgumentException("resume: " + path.describe("") + " is not a complete checkpoint: "
                        + reason);
            }
            return new Found(path.describe(""), verifiedRead(path), List.of());
        }
        List<String> names = checkpointNames(path);
        List<String> skipped = new ArrayList<>();
        for (int i = names.size() - 1; i >= 0; i--) {
            StateStore dir = path.directory(names.get(i));
            String reason = incompleteReason(dir);
            if (reason == null) {
                try {
                    return new Found(dir.describe(""), verifiedRead(dir), skipped);
                } catch (ModelFormatException e) {
                    reason = e.getMessage();
                }
            }
            skipped.add(names.get(i) + ": " + reason);
        }
        throw new IllegalArgumentException("resume: " + path.describe("") + " holds neither " + MANIFEST + " nor any "
                + "complete " + PREFIX + "* checkpoint directory" + (skipped.isEmpty() ? "" : "; passed over: "
                + String.join("; ", skipped)));
    }

    /** The checkpoint directories under {@code root} (complete or not), oldest first. */
    private static List<String> checkpointNames(StateStore root) throws IOException {
        List<String> out = new ArrayList<>();
        for (String n : root.directories()) {
            if (n.matches(PREFIX + "[0-9]+(" + EPOCH_END + ")?")) {
                out.add(n);
            }
        }
        out.sort(ORDER);
        return out;
    }

    private static long stepOf(String name) {
        String digits = name.substring(PREFIX.length(), name.endsWith(EPOCH_END)
                ? name.length() - EPOCH_END.length() : name.length());
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE;
        }
    }

    /** The run id in {@code dir}'s manifest, or null when it has none that reads. */
    private static String runOf(StateStore dir) throws IOException {
        JsonNode m = manifest(dir);
        return m == null ? null : m.path("run_id").asText(null);
    }

    private static JsonNode manifest(StateStore dir) throws IOException {
        if (dir.size(MANIFEST) < 0) {
            return null;
        }
        try (InputStream in = dir.open(MANIFEST)) {
            JsonNode m = JSON.readTree(in);
            return m != null && MANIFEST_FORMAT.equals(m.path("format").asText()) ? m : null;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return null;
        }
    }

    /** Why {@code dir} is not a complete checkpoint, or null when its manifest and every file it lists are there. */
    private static String incompleteReason(StateStore dir) throws IOException {
        JsonNode m = manifest(dir);
        if (m == null) {
            return dir.size(MANIFEST) < 0 ? "no " + MANIFEST + " (the checkpoint was not finished)"
                    : MANIFEST + " does not read as a manifest";
        }
        for (JsonNode f : m.path("files")) {
            String file = f.path("name").asText();
            long expected = f.path("bytes").asLong(-1);
            long found = dir.size(file);
            if (found != expected) {
                return file + " has " + (found < 0 ? "not arrived" : found + " bytes") + " but the manifest lists "
                        + expected + " bytes";
            }
        }
        return null;
    }

    /** Reads the checkpoint in {@code dir} after checking every file against its manifest checksum. */
    private static Checkpoint verifiedRead(StateStore dir) throws IOException {
        JsonNode m = manifest(dir);
        byte[] buf = new byte[1 << 16];
        for (JsonNode f : m.path("files")) {
            String file = f.path("name").asText();
            io.dendrite.core.model.ModelFormat.requirePlainName(dir.describe(MANIFEST), "files.name", file);
            CRC32C crc = new CRC32C();
            try (InputStream in = dir.open(file)) {
                for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                    crc.update(buf, 0, n);
                }
            }
            String found = String.format(Locale.ROOT, "%08x", crc.getValue());
            if (!found.equals(f.path("crc32c").asText())) {
                throw new ModelFormatException(dir.describe(file) + ": CRC-32C " + found + " does not match the "
                        + f.path("crc32c").asText() + " in " + MANIFEST + " (damaged or partly copied)");
            }
        }
        return CheckpointFormat.read(dir);
    }

    /** A store that records the size and CRC-32C of every file written through it. */
    private static final class Recording extends ForwardingStateStore {
        final Map<String, long[]> written = new LinkedHashMap<>();

        Recording(StateStore store) {
            super(store);
        }

        @Override
        public OutputStream create(String name) throws IOException {
            CRC32C crc = new CRC32C();
            long[] sizeAndCrc = new long[2];
            return new FilterOutputStream(delegate().create(name)) {
                @Override
                public void write(int b) throws IOException {
                    out.write(b);
                    crc.update(b);
                    sizeAndCrc[0]++;
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    out.write(b, off, len);
                    crc.update(b, off, len);
                    sizeAndCrc[0] += len;
                }

                @Override
                public void close() throws IOException {
                    super.close();
                    sizeAndCrc[1] = crc.getValue();
                    written.put(name, sizeAndCrc);
                }
            };
        }
    }
}
