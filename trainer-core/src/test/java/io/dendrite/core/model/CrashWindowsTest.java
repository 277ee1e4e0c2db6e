package io.dendrite.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dendrite.core.data.FeatureScaler;
import io.dendrite.core.loss.LossStats;
import io.dendrite.core.nn.NetworkSpec;
import io.dendrite.core.run.Checkpoint;
import io.dendrite.core.run.Checkpoints;
import io.dendrite.core.run.DataFingerprint;
import io.dendrite.core.run.EpochCallbacks;
import io.dendrite.core.run.RunState;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A crash at any point of a save — before or after each file is created, each rename, each delete — leaves
 * a complete copy, old or new, that the next reader (a new process: a fresh store over the same directory)
 * loads. Each point is tried in turn: the store stops the writer there as a killed process would stop.
 */
class CrashWindowsTest {
    @TempDir
    Path dir;

    /** Stops the writer (an unchecked throw no code path catches) at the budget's end. */
    private static final class Crash extends RuntimeException {
        Crash() {
            super("crashed here");
        }
    }

    /** A store that lets {@code budget[0]} mutations through, then crashes; its sub-directories share the budget. */
    private static final class CrashingStore extends ForwardingStateStore {
        private final int[] budget;

        CrashingStore(StateStore delegate, int[] budget) {
            super(delegate);
            this.budget = budget;
        }

        private void spend() {
            if (budget[0]-- == 0) {
                throw new Crash();
            }
        }

        @Override
        public OutputStream create(String name) throws IOException {
            spend();
            OutputStream out = super.create(name);
            return new java.io.FilterOutputStream(out) {
                @Override
                public void close() throws IOException {
                    spend(); // a crash before the bytes are closed (and synced)
                    out.close();
                }
            };
        }

        @Override
        public StateStore directory(String name) throws IOException {
            return new CrashingStore(super.directory(name), budget);
        }

        @Override
        public void rename(String from, String to) throws IOException {
            spend();
            super.rename(from, to);
        }

        @Override
        public void delete(String name) throws IOException {
            spend();
            super.delete(name);
        }
    }

    private static Model model(float w) {
        NetworkSpec spec = new NetworkSpec(3, List.of(new io.dendrite.core.nn.LayerSpec.Dense(2,
                io.dendrite.core.kernel.Activation.SOFTMAX, io.dendrite.core.nn.Initializer.GLOROT_UNIFORM)));
        float[] p = new float[spec.parameterCount()];
        Arrays.fill(p, w);
        return new Model(spec, io.dendrite.core.loss.Losses.categoricalCrossEntropy(), p, FeatureScaler.none(3),
                List.of(), Map.of());
    }

    @Test
    void aModelSaveCrashedAtAnyPointLeavesTheOldModelOrTheNew() throws IOException {
        int points = 0;
        for (int crashAt = 0; ; crashAt++) {
            Path parent = Files.createDirectories(dir.resolve("m" + crashAt));
            ModelFiles.save(model(1f), parent.resolve("model"));
            int[] budget = {crashAt};
            boolean crashed = false;
            try {
                ModelFiles.save(model(2f), new CrashingStore(StateStore.local(parent), budget), "model");
            } catch (Crash e) {
                crashed = true;
            }
            float w = ModelFiles.load(parent.resolve("model")).parameters()[0]; // as the next process reads it
            assertTrue(w == 1f || w == 2f, "crash at point " + crashAt + ": weights " + w);
            assertTrue(crashed || w == 2f, "a save that ran to the end leaves the new model");
            if (!crashed) {
                break;
            }
            points++;
        }
        assertTrue(points >= 6, "every file created and closed, and the swap's renames and delete: " + points);
    }

    private static Checkpoint checkpoint(long step, float w) {
        RunState.Snapshot s = new RunState.Snapshot(0, step, LossStats.EMPTY, 0, 0.1f, 0,
                new EpochCallbacks.State(Double.NaN, -1, 0, Double.NaN, 0, 0, 1f, null), List.of());
        return new Checkpoint("r", Map.of("seed", "1"), new DataFingerprint(new long[] {4}, new long[] {1},
                new long[] {2}), new float[] {w, w}, "sgd", step, Map.of(), s, FeatureScaler.none(2));
    }

    @Test
    void aCheckpointReplacementCrashedAtAnyPointLeavesOneToResumeFrom() throws IOException {
        for (int crashAt = 0; ; crashAt++) {
            Path root = Files.createDirectories(dir.resolve("c" + crashAt));
            Checkpoints.write(StateStore.local(root), "step-000000004", checkpoint(4, 1f), 3);
            boolean crashed = false;
            try {
                Checkpoints.write(new CrashingStore(StateStore.local(root), new int[] {crashAt}), "step-000000004",
                        checkpoint(4, 2f), 3);
            } catch (Crash e) {
                crashed = true;
            }
            float[] w = Checkpoints.latest(StateStore.local(root)).checkpoint().weights();
            assertTrue(Arrays.equals(w, new float[] {1f, 1f}) || Arrays.equals(w, new float[] {2f, 2f}),
                    "crash at point " + crashAt + ": " + Arrays.toString(w));
            if (!crashed) {
                assertArrayEquals(new float[] {2f, 2f}, w);
                break;
            }
        }
    }
}
