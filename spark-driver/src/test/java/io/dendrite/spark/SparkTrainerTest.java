package io.dendrite.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.dendrite.core.data.Dataset;
import io.dendrite.core.kernel.Activation;
import io.dendrite.core.loss.Losses;
import io.dendrite.core.model.Model;
import io.dendrite.core.model.StateStore;
import io.dendrite.core.optim.Optimizers;
import io.dendrite.core.run.CheckpointPolicy;
import io.dendrite.core.run.Checkpoints;
import io.dendrite.core.run.Divergence;
import io.dendrite.core.run.EpochReport;
import io.dendrite.core.run.ReduceLrOnPlateau;
import io.dendrite.core.run.TrainingConfig;
import io.dendrite.core.run.TrainingDivergedException;
import io.dendrite.core.train.Sequential;
import io.dendrite.datasets.ReadOptions;
import io.dendrite.datasets.ShardedDataset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.Test;
import org.junit.jupiter.api.Assertions;

/**
 * The distributed trainer against the single-JVM one on the bundled digits (docs/architecture.md, "Invariants"): one
 * partition bit for bit, three uneven partitions within 1e-5 relative after 20 steps, the same seed and
 * partitioning bit for bit, and resuming from a checkpoint equal to the uninterrupted run.
 */
public class SparkTrainerTest extends SparkDriverSuite {

    private static Sequential net(boolean dropout) {
        Sequential s = Sequential.input(64).dense(48, Activation.RELU);
        if (dropout) {
            s.dropout(0.2f);
        }
        return s.dense(10, Activation.SOFTMAX).loss(Losses.categoricalCrossEntropy())
                .optimizer(Optimizers.adam(1e-3f)).scaleBy(16f).batchSize(64).seed(11).progress((java.io.PrintStream) null);
    }

    private static SparkTrainer spark(TrainingConfig config) {
        return new SparkTrainer(config, CheckpointPolicy.NONE, EpochReport.Listener.silent());
    }

    @Test
    public void onePartitionEqualsTheSingleJvmTrainerBitForBit() {
        TrainingConfig config = net(false).epochs(2).config();
        Model single = net(false).epochs(2).build().fit(DIGITS, null);
        TrainingResult distributed = spark(config).fit(digits(1), null);
        assertEquals(1, distributed.partitions());
        assertArrayEquals(single.parameters(), distributed.model().parameters());
        assertEquals(single.summary().get("steps"), distributed.model().summary().get("steps"));
    }

    @Test
    public void threeUnevenPartitionsStayWithin1e5OfTheSingleJvmTrainerAfter20Steps() {
        // 1797 rows, batch 64: 20 steps stay inside the first epoch.
        TrainingConfig config = net(false).epochs(1).batchSize(90).config();
        ShardedDataset uneven = digits(7).coalesce(3);
        long[] sizes = uneven.blocks().mapPartitions(it -> {
            long n = 0;
            while (it.hasNext()) {
                n += it.next().rows();
            }
            return List.of(n).iterator();
        }).collect().stream().mapToLong(Long::longValue).toArray();
        assertEquals(3, sizes.length);
        Assertions.assertTrue(sizes[0] != sizes[1] || sizes[1] != sizes[2], "partitions should be uneven: " + Arrays.toString(sizes));
        // The same rows in partition order, trained in one JVM over the same batches.
        Dataset inOrder = uneven.collectLocal();
        Model single = new io.dendrite.core.train.Trainer(config, io.dendrite.core.run.ProgressListener.silent())
                .fitPartitioned(inOrder, null, sizes);
        TrainingResult distributed = spark(config).fit(uneven, null);
        assertEquals(20L, distributed.model().summary().get("steps"));
        double rel = relativeError(distributed.model().parameters(), single.parameters());
        System.out.printf("partitions %s: relative error %.3g after 20 steps%n", Arrays.toString(sizes), rel);
        Assertions.assertTrue(rel <= 1e-5, "relative error after 20 steps on partitions " + Arrays.toString(sizes) + ": " + rel);
        Assertions.assertTrue(rel > 0 || Arrays.equals(distributed.model().parameters(), single.parameters()));
    }

    @Test
    public void sameSeedAndPartitioningAreBitIdenticalAndAnotherSeedDiffers() {
        ShardedDataset data = digits(3);
        float[] a = spark(net(true).epochs(2).config()).fit(data, null).model().parameters();
        float[] b = spark(net(true).epochs(2).config()).fit(data, null).model().parameters();
        float[] c = spark(net(true).epochs(2).seed(12).config()).fit(data, null).model().parameters();
        assertArrayEquals(a, b);
        assertFalse(Arrays.equals(a, c));
    }

    @Test
    public void resumingFromACheckpointEqualsTheUninterruptedRun() throws Exception {
        Path dir = newTempDir();
        TrainingConfig config = net(true).epochs(4).validationSplit(0.2)
                .reduceLrOnPlateau(new ReduceLrOnPlateau("val_loss", 0.5f, 0, 0f, 0, 0f)).config();
        ShardedDataset data = digits(2);
        TrainingResult whole = new SparkTrainer(config,
                new CheckpointPolicy(dir.toUri().toString(), 7, 1, 100), EpochReport.Listener.silent())
                .fit(data, null);
        List<Path> saved;
        try (Stream<Path> s = Files.list(dir)) {
            saved = s.filter(p -> p.getFileName().toString().startsWith("step-")).sorted().collect(Collectors.toList());
        }
        Assertions.assertTrue(saved.size() >= 5, "checkpoints written: " + saved);
        // One checkpoint inside an epoch, one at an epoch boundary (1438 training rows, batch 64: 23 steps/epoch).
        for (String name : List.of("step-000000028", "step-000000023-epoch-end")) {
            Path ckpt = dir.resolve(name);
            Assertions.assertTrue(Files.exists(ckpt.resolve("checkpoint.json")), name + " missing among " + saved);
            TrainingResult resumed = spark(config).resume(data, null, ckpt.toUri().toString());
            assertArrayEquals(whole.model().parameters(), resumed.model().parameters(), "resumed from " + name);
            assertEquals(whole.history().metric("val_loss")[3], resumed.history().metric("val_loss")[3]);
            assertEquals(whole.history().metric("lr")[3], resumed.history().metric("lr")[3]);
        }
        // The root resolves to the latest checkpoint.
        assertEquals(saved.get(saved.size() - 1).toString(), Checkpoints.latest(StateStore.local(dir)).where());
        // Another configuration refuses it, naming both.
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () ->
                spark(net(true).epochs(4).batchSize(32).validationSplit(0.2).config())
                        .resume(data, null, dir.toUri().toString()));
        Assertions.assertTrue(e.getMessage().contains("batch_size: checkpoint 64, this run 32"), e.getMessage());
    }

    @Test
    public void stepTimesAreMeasuredAndReported() {
        StringBuilder lines = new StringBuilder();
        TrainingResult r = new SparkTrainer(net(false).epochs(1).config(), CheckpointPolicy.NONE,
                rep -> lines.append(rep.line()).append('\n')).fit(digits(2), null);
        var mean = r.meanStepMillis();
        Assertions.assertTrue(mean.get("step_ms") > 0 && mean.get("compute_ms") > 0, mean.toString());
        Assertions.assertTrue(mean.get("step_ms") >= mean.get("compute_ms"), mean.toString());
        Assertions.assertTrue(lines.toString().matches("(?s)Epoch 1/1 - .* ex/s - step [0-9.]+ ms \\(compute .*fixed .*transport .*\\)\\n"),
                lines.toString());
        assertNotEquals(0, r.examplesPerSecond());
    }

    @Test
    public void badTargetsFailNamingThePartition() {
        float[] y = DIGITS.targets().clone();
        y[1500] = 12f;
        Dataset bad = Dataset.of(DIGITS.features(), 64, y, 1);
        ShardedDataset data = ShardedDataset.parallelize(jsc(), bad, 2, ReadOptions.regression(), "bad digits");
        Exception e = assertThrows(Exception.class, () -> spark(net(false).epochs(1).config()).fit(data, null));
        StringBuilder chain = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            chain.append(t.getMessage()).append('\n');
        }
        String m = chain.toString();
        Assertions.assertTrue(m.contains("training data bad digits, partition 1, block at partition row 0: class label "
                + "at row 602") && m.contains("was 12"), m);
    }

    /**
     * Plain SGD with a learning rate that blows the weights up (finite, near 1e21) on the first step: step 2's
     * loss is not finite.
     */
    private static TrainingConfig exploding() {
        return Sequential.input(64).dense(48, Activation.RELU).dense(10, Activation.SOFTMAX)
                .loss(Losses.categoricalCrossEntropy()).optimizer(Optimizers.sgd(1e20f)).scaleBy(16f).batchSize(64)
                .epochs(2).seed(11).progress((java.io.PrintStream) null).config();
    }

    @Test
    public void aNonFiniteStepStopsTheRunThereNamingTheLastGoodCheckpoint() throws Exception {
        Path dir = newTempDir();
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class, () -> new SparkTrainer(
                exploding(), new CheckpointPolicy(dir.toUri().toString(), 1, 0, 100),
                EpochReport.Listener.silent()).fit(digits(2), null));
        Assertions.assertTrue(e.getMessage().startsWith("training diverged at step 2 (epoch 1, batch 2 of 29): the loss"),
                e.getMessage());
        Assertions.assertTrue(e.getMessage().contains("Last good checkpoint: ") && e.getMessage().contains(
                "step-000000001"), e.getMessage());
        // Only the finite step-1 checkpoint was written, and it reads back.
        try (Stream<Path> list = Files.list(dir)) {
            assertEquals(List.of("step-000000001"), list.map(p -> p.getFileName().toString())
                    .filter(n -> !n.startsWith(".")).collect(Collectors.toList()));
        }
        float[] w = Checkpoints.latest(StateStore.local(dir)).checkpoint().weights();
        for (float v : w) {
            Assertions.assertTrue(Float.isFinite(v), "checkpoint weights are finite");
        }
    }

    @Test
    public void skippingNonFiniteStepsCountsThemAndKeepsTheWeightsFinite() {
        TrainingResult r = spark(exploding()).withDivergence(Divergence.SKIP).fit(digits(2), null);
        // 1797 rows at batch 64: 29 steps per epoch; after the first, every step meets the blown-up weights.
        assertEquals(2L * 29 - 1, ((Number) r.model().summary().get("skipped_steps")).longValue());
        for (float v : r.model().parameters()) {
            Assertions.assertTrue(Float.isFinite(v), "model weights are finite");
        }
    }

    @Test
    public void aNetworkTooLargeForOneStepFrameIsRefusedBeforeAnythingIsAllocated() {
        // 64 × 9,000,000 + 9,000,000 + 9,000,000 × 1 + 1 = 594,000,001 weights: fits an array, not a 2 GiB frame.
        TrainingConfig huge = Sequential.input(64).dense(9_000_000, Activation.RELU).dense(1, Activation.LINEAR)
                .loss(Losses.mse()).optimizer(Optimizers.sgd(0.1f)).batchSize(64).epochs(1).seed(1)
                .progress((java.io.PrintStream) null).config();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> spark(huge).fit(digits(2), null));
        Assertions.assertTrue(e.getMessage().startsWith("the network has 594000001 parameters but a training step "
                + "carries at most 536870895"), e.getMessage());
    }

    private static double relativeError(float[] a, float[] b) {
        double diff = 0;
        double norm = 0;
        for (int i = 0; i < a.length; i++) {
            diff += ((double) a[i] - b[i]) * ((double) a[i] - b[i]);
            norm += (double) b[i] * b[i];
        }
        return Math.sqrt(diff / norm);
    }
}
