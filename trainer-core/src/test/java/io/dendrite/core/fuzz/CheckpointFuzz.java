package io.dendrite.core.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import io.dendrite.core.data.FeatureScaler;
import io.dendrite.core.loss.LossStats;
import io.dendrite.core.model.ModelFormatException;
import io.dendrite.core.run.Checkpoint;
import io.dendrite.core.run.CheckpointFormat;
import io.dendrite.core.run.DataFingerprint;
import io.dendrite.core.run.EpochCallbacks;
import io.dendrite.core.run.RunState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Fuzz target: a checkpoint directory's files as untrusted bytes (a valid checkpoint with bytes spliced into
 * its document or one of its arrays, or anything as the document). The reader must return a checkpoint or
 * refuse with a {@link ModelFormatException} that says why.
 */
public final class CheckpointFuzz {
    private static final MemoryStore VALID = new MemoryStore();

    static {
        Map<String, Double> e0 = new LinkedHashMap<>();
        e0.put("loss", 0.69);
        e0.put("val_loss", Double.NaN);
        RunState.Snapshot run = new RunState.Snapshot(3, 17L, new LossStats(12.5, 64, 40), 0.001, 7.5e-4f, 2,
                new EpochCallbacks.State(Double.POSITIVE_INFINITY, -1, 2, 0.125, 1, 0, 0.25f, new float[] {9, 8, 7, 6}),
                List.of(e0));
        Checkpoint c = new Checkpoint("run-1", Map.of("seed", "42"), new DataFingerprint(new long[] {100, 57},
                new long[] {1, 2}, new long[] {3, 4}), new float[] {0.1f, -2.5f, 1e-8f, 3f}, "adam", 1234L,
                Map.of("m", new float[] {1, 2, 3, 4}, "v", new float[] {5, 6, 7, 8}), run, FeatureScaler.none(2));
        try {
            CheckpointFormat.write(c, VALID);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private CheckpointFuzz() {
    }

    /** One input. */
    public static void fuzzerTestOneInput(FuzzedDataProvider data) throws IOException {
        MemoryStore store = new MemoryStore();
        List<String> names = VALID.files();
        for (String n : names) {
            store.put(n, VALID.get(n));
        }
        int which = data.consumeInt(0, names.size());
        if (which == names.size()) {
            store.put(CheckpointFormat.DOCUMENT, data.consumeRemainingAsBytes());
        } else {
            store.put(names.get(which), Splice.of(VALID.get(names.get(which)), data));
        }
        try {
            CheckpointFormat.read(store);
        } catch (ModelFormatException e) {
            Splice.requireMessage(e);
        }
    }
}
