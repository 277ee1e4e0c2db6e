package io.dendrite.core.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dendrite.core.data.FeatureScaler;
import io.dendrite.core.loss.LossStats;
import io.dendrite.core.model.ForwardingStateStore;
import io.dendrite.core.model.StateStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checkpoint directories: replacing one never leaves no complete copy, and pruning keeps the run's newest. */
class CheckpointsTest {
    @TempDir
    Path dir;

    private static Checkpoint checkpoint(String run, long step, float w) {
        RunState.Snapshot s = new RunState.Snapshot(0, step, LossStats.EMPTY, 0, 0.1f, 0,
                new EpochCallbacks.State(Double.NaN, -1, 0, Double.NaN, 0, 0, 1f, null), List.of());
        return new Checkpoint(run, Map.of("seed", "1"), new DataFingerprint(new long[] {4}, new long[] {1},
                new long[] {2}), new float[] {w, w}, "sgd", step, Map.of(), s, FeatureScaler.none(2));
    }

    /** A store whose renames onto {@code failing} fail, as an object store's copy can. */
    private static StateStore failingRenamesTo(StateStore s, String failing) {
        return new ForwardingStateStore(s) {
            @Override
            public void rename(String from, String to) throws IOException {
                if (to.equals(failing) && from.contains(".tmp-")) {
                    throw new IOException("injected: rename onto " + to + " failed");
                }
                super.rename(from, to);
            }
        };
    }

    @Test
    void aFailedReplacementLeavesTheCompleteCopyInPlace() throws IOException {
        StateStore root = StateStore.local(dir);
        Checkpoints.write(root, "step-000000004", checkpoint("r", 4, 1f), 3);
        IOException e = assertThrows(IOException.class, () -> Checkpoints.write(failingRenamesTo(root, "step-000000004"),
                "step-000000004", checkpoint("r", 4, 2f), 3));
        assertTrue(e.getMessage().contains("injected"), e.getMessage());
        Checkpoints.Found found = Checkpoints.latest(root);
        assertEquals(dir.resolve("step-000000004").toString(), found.where());
        assertArrayEquals(new float[] {1f, 1f}, found.checkpoint().weights());
        // A replacement that succeeds takes its place.
        Checkpoints.write(root, "step-000000004", checkpoint("r", 4, 3f), 3);
        assertArrayEquals(new float[] {3f, 3f}, Checkpoints.latest(root).checkpoint().weights());
    }

    @Test
    void pruningKeepsTheNewestOfThisRunAndNeverTheOneJustWritten() throws IOException {
        StateStore root = StateStore.local(dir);
        for (long step : new long[] {10, 20, 30}) {
            Checkpoints.write(root, Checkpoints.name(step, false), checkpoint("r", step, step), 2);
        }
        assertEquals(List.of("step-000000020", "step-000000030"), root.directories());
        Checkpoints.write(root, Checkpoints.name(30, true), checkpoint("r", 30, 31), 1);
        assertEquals(List.of("step-000000030-epoch-end"), root.directories());
        // Steps past nine digits still order by number.
        Checkpoints.write(root, Checkpoints.name(12_345_678_901L, false), checkpoint("r", 12_345_678_901L, 5), 2);
        assertEquals(12_345_678_901L, Checkpoints.latest(root).checkpoint().iterations());
    }

    @Test
    void aResumedRunRefusesARootHoldingAnotherRun() throws IOException {
        StateStore root = StateStore.local(dir);
        Checkpoints.write(root, Checkpoints.name(10, false), checkpoint("first", 10, 1), 2);
        Checkpoints.requireOwnRoot(root, "first", "elsewhere");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Checkpoints.requireOwnRoot(root, "second", "/old/step-000000004"));
        assertTrue(e.getMessage().contains("already holds checkpoints of run first (step-000000010)")
                && e.getMessage().contains("(this run, second, was resumed from /old/step-000000004)"), e.getMessage());
    }
}
