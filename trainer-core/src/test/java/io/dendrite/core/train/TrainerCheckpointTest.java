package io.dendrite.core.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dendrite.core.data.Dataset;
import io.dendrite.core.kernel.Activation;
import io.dendrite.core.loss.Losses;
import io.dendrite.core.model.Model;
import io.dendrite.core.model.StateStore;
import io.dendrite.core.optim.LearningRateSchedule;
import io.dendrite.core.optim.Optimizers;
import io.dendrite.core.run.CheckpointPolicy;
import io.dendrite.core.run.Checkpoints;
import io.dendrite.core.run.Divergence;
import io.dendrite.core.run.EarlyStopping;
import io.dendrite.core.run.ReduceLrOnPlateau;
import io.dendrite.core.run.TrainingDivergedException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The single-JVM trainer checkpoints and resumes through the run package: a resumed run equals the
 * uninterrupted one bit for bit; a root belongs to one run; an incomplete checkpoint is passed over; and a
 * resume under other settings or other data is refused naming what differs.
 */
class TrainerCheckpointTest {
    private static final Dataset DATA = Blobs.classes(300, 6, 3, 5);

    @TempDir
    Path dir;

    /** 240 training rows at batch 32: 8 steps per epoch; plateau and early stopping carry state across epochs. */
    private static Sequential net() {
        return Sequential.input(6).dense(12, Activation.leakyRelu(0.1f)).dropout(0.1f).dense(3, Activation.SOFTMAX)
                .loss(Losses.categoricalCrossEntropy()).optimizer(Optimizers.adam(0.02f)).l2(1e-4f).clipNorm(5f)
                .schedule(LearningRateSchedule.step(10, 0.8f)).batchSize(32).epochs(5).seed(9).validationSplit(0.2)
                .reduceLrOnPlateau(new ReduceLrOnPlateau("val_loss", 0.5f, 0, 0f, 0, 0f))
                .earlyStopping(new EarlyStopping("val_loss", 0f, 10, true)).progress((PrintStream) null);
    }

    private Trainer checkpointing(Sequential s, long everySteps, int everyEpochs, int keep) {
        return s.build().withCheckpoints(new CheckpointPolicy(dir.toString(), everySteps, everyEpochs, keep));
    }

    private List<String> names() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).sorted()
                    .collect(Collectors.toList());
        }
    }

    @Test
    void resumingFromAnyCheckpointEqualsTheUninterruptedRun() throws IOException {
        Model whole = checkpointing(net(), 5, 1, 100).fit(DATA);
        List<String> saved = names();
        assertTrue(saved.containsAll(List.of("step-000000005", "step-000000008-epoch-end", "step-000000010")), saved.toString());
        for (String name : List.of("step-000000005", "step-000000008-epoch-end", "step-000000015")) {
            Model resumed = net().build().resume(DATA, dir.resolve(name).toString());
            assertArrayEquals(whole.parameters(), resumed.parameters(), "resumed from " + name);
            assertEquals(whole.summary().get("history"), resumed.summary().get("history"), "history from " + name);
            assertEquals(whole.summary().get("run_id"), resumed.summary().get("run_id"), "a resume keeps the run id");
        }
    }

    @Test
    void aNewRunRefusesARootHoldingAnotherRunsCheckpoints() throws IOException {
        Model first = checkpointing(net().epochs(2), 0, 1, 3).fit(DATA);
        List<String> before = names();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> checkpointing(net().epochs(2), 0, 1, 3).fit(DATA));
        assertTrue(e.getMessage().startsWith("checkpoint directory " + dir + " already holds checkpoints of run "
                + first.summary().get("run_id")), e.getMessage());
        assertTrue(e.getMessage().contains("to continue that run, resume from " + dir)
                && e.getMessage().contains("choose another checkpoint directory"), e.getMessage());
        assertEquals(before, names(), "nothing was written or pruned");
        // Resuming that run into its own root is fine, and continues it.
        Model resumed = checkpointing(net().epochs(3), 0, 1, 3).resume(DATA, dir.toString());
        assertEquals(first.summary().get("run_id"), resumed.summary().get("run_id"));
    }

    @Test
    void resumeFallsBackPastIncompleteCheckpointsAndSaysWhy() throws IOException {
        Model whole = checkpointing(net().epochs(2), 4, 0, 100).fit(DATA);
        List<String> saved = names();
        assertEquals(List.of("step-000000004", "step-000000008", "step-000000012", "step-000000016"), saved);
        // The newest lost its manifest (a copy that stopped half way); the one before lost part of a file.
        Files.delete(dir.resolve("step-000000016").resolve(Checkpoints.MANIFEST));
        Path weights = dir.resolve("step-000000012").resolve("weights.bin");
        Files.write(weights, java.util.Arrays.copyOf(Files.readAllBytes(weights), 20));
        Checkpoints.Found found = Checkpoints.latest(StateStore.local(dir));
        assertEquals(dir.resolve("step-000000008").toString(), found.where());
        assertEquals(2, found.skipped().size(), found.skipped().toString());
        assertTrue(found.skipped().get(0).startsWith("step-000000016: no manifest.json"), found.skipped().toString());
        assertTrue(found.skipped().get(1).startsWith("step-000000012: weights.bin has 20 bytes but the manifest lists"),
                found.skipped().toString());
        // A checksum mismatch at the right size is passed over too.
        Path opt = dir.resolve("step-000000008").resolve("optimizer-m.bin");
        byte[] b = Files.readAllBytes(opt);
        b[30] ^= 1;
        Files.write(opt, b);
        Checkpoints.Found older = Checkpoints.latest(StateStore.local(dir));
        assertEquals(dir.resolve("step-000000004").toString(), older.where());
        assertTrue(older.skipped().get(2).startsWith("step-000000008: " + opt + ": CRC-32C"), older.skipped().toString());
        // The run resumed from there still ends where the uninterrupted one did.
        assertArrayEquals(whole.parameters(), net().epochs(2).build().resume(DATA, dir.toString()).parameters());
        // Named directly, an incomplete checkpoint is refused saying what is missing.
        IllegalArgumentException named = assertThrows(IllegalArgumentException.class,
                () -> net().epochs(2).build().resume(DATA, dir.resolve("step-000000016").toString()));
        assertTrue(named.getMessage().contains("is not a complete checkpoint: no manifest.json"), named.getMessage());
    }

    @Test
    void theEpochEndCheckpointAtAStepCheckpointKeepsBothUntilPruned() throws IOException {
        // Every 8 steps is also every epoch: both are written; keep=1 keeps the newest (the epoch-end one).
        checkpointing(net().epochs(2), 8, 1, 1).fit(DATA);
        assertEquals(List.of("step-000000016"), names());
        checkpointing(net().epochs(3), 8, 1, 2).resume(DATA, dir.toString());
        assertEquals(List.of("step-000000016-epoch-end", "step-000000024"), names());
    }

    @Test
    void everySettingThatChangesTheArithmeticIsCheckedOnResume() throws IOException {
        checkpointing(net().epochs(2), 0, 1, 1).fit(DATA);
        String root = dir.toString();
        List<UnaryOperator<Sequential>> changes = List.of(
                s -> Sequential.input(6).dense(12, Activation.leakyRelu(0.2f)).dropout(0.1f).dense(3, Activation.SOFTMAX)
                        .loss(Losses.categoricalCrossEntropy()).optimizer(Optimizers.adam(0.02f)).l2(1e-4f).clipNorm(5f)
                        .schedule(LearningRateSchedule.step(10, 0.8f)).batchSize(32).epochs(5).seed(9)
                        .validationSplit(0.2).reduceLrOnPlateau(new ReduceLrOnPlateau("val_loss", 0.5f, 0, 0f, 0, 0f))
                        .earlyStopping(new EarlyStopping("val_loss", 0f, 10, true)).progress((PrintStream) null),
                s -> s.l2(2e-4f),
                s -> s.clipNorm(1f),
                s -> s.weightDecay(0.01f),
                s -> s.schedule(LearningRateSchedule.step(20, 0.8f)),
                s -> s.reduceLrOnPlateau(new ReduceLrOnPlateau("val_loss", 0.25f, 0, 0f, 0, 0f)),
                s -> s.earlyStopping(new EarlyStopping("val_loss", 0f, 3, true)));
        List<String> named = List.of("network", "regularization", "regularization", "regularization", "schedule",
                "reduce_lr_on_plateau", "early_stopping");
        for (int i = 0; i < changes.size(); i++) {
            Sequential changed = changes.get(i).apply(net());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> changed.build().resume(DATA, root));
            assertTrue(e.getMessage().contains("was written with other settings") && e.getMessage().contains(
                    named.get(i) + ": checkpoint "), i + ": " + e.getMessage());
        }
        // Only epochs (and outputs, cadence) may change.
        checkpointing(net().epochs(3), 0, 2, 1).resume(DATA, root);
    }

    @Test
    void aResumeOnOtherDataIsRefused() throws IOException {
        checkpointing(net().epochs(2), 0, 1, 1).fit(DATA);
        float[] x = DATA.features().clone();
        x[7] += 1f;
        Dataset other = Dataset.of(x, 6, DATA.targets(), 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> net().build().resume(other, dir.toString()));
        assertTrue(e.getMessage().contains("the data differs from the data the checkpoint")
                && e.getMessage().contains("partition 0: checkpoint "), e.getMessage());
        IllegalArgumentException rows = assertThrows(IllegalArgumentException.class,
                () -> net().build().resume(Blobs.classes(310, 6, 3, 5), dir.toString()));
        assertTrue(rows.getMessage().contains("planned its batches over partitions of [240] rows but the data now has "
                + "[248]"), rows.getMessage());
    }

    /** Plain SGD at a rate that blows the weights up (finite) on the first step: step 2's loss is not finite. */
    private static Sequential exploding() {
        return Sequential.input(6).dense(12, Activation.RELU).dense(3, Activation.SOFTMAX)
                .loss(Losses.categoricalCrossEntropy()).optimizer(Optimizers.sgd(1e20f)).batchSize(32).epochs(2)
                .seed(3).progress((PrintStream) null);
    }

    @Test
    void aNonFiniteStepStopsTheSingleJvmRunNamingTheLastGoodCheckpoint() throws IOException {
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
                () -> checkpointing(exploding(), 1, 0, 10).fit(DATA));
        assertTrue(e.getMessage().startsWith("training diverged at step 2 (epoch 1, batch 2 of 10): the loss"),
                e.getMessage());
        assertTrue(e.getMessage().contains("Last good checkpoint: " + dir.resolve("step-000000001")), e.getMessage());
        assertEquals(List.of("step-000000001"), names(), "no checkpoint with non-finite state was written");
    }

    @Test
    void skippingNonFiniteStepsInTheSingleJvmRunCountsThem() {
        Model m = exploding().build().withDivergence(Divergence.SKIP).fit(DATA);
        assertEquals(2L * 10 - 1, ((Number) m.summary().get("skipped_steps")).longValue());
        for (float v : m.parameters()) {
            assertTrue(Float.isFinite(v), "model weights are finite");
        }
    }
}
