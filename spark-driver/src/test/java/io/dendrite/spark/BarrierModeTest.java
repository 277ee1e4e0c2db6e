package io.dendrite.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.dendrite.core.kernel.Activation;
import io.dendrite.core.loss.Losses;
import io.dendrite.core.optim.Optimizers;
import io.dendrite.core.run.CheckpointPolicy;
import io.dendrite.core.run.Divergence;
import io.dendrite.core.run.EpochReport;
import io.dendrite.core.run.ReduceLrOnPlateau;
import io.dendrite.core.run.TrainingConfig;
import io.dendrite.core.train.Sequential;
import io.dendrite.datasets.ShardedDataset;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.SparkConf;
import org.junit.Test;
import org.junit.jupiter.api.Assertions;

/**
 * Barrier mode (long-lived tasks and the driver-side parameter server) against the job-per-step mode on
 * the bundled digits, in local[2]: the same bits, a killed task changes nothing, and what cannot work
 * fails at once naming what to change.
 */
public class BarrierModeTest extends SparkDriverSuite {

    private static TrainingConfig config(int epochs) {
        return Sequential.input(64).dense(48, Activation.RELU).dropout(0.2f).dense(10, Activation.SOFTMAX)
                .loss(Losses.categoricalCrossEntropy()).optimizer(Optimizers.adam(1e-3f)).scaleBy(16f).batchSize(64)
                .seed(11).epochs(epochs).validationSplit(0.2)
                .reduceLrOnPlateau(new ReduceLrOnPlateau("val_loss", 0.5f, 0, 0f, 0, 0f))
                .progress((java.io.PrintStream) null).config();
    }

    private static SparkTrainer trainer(TrainingConfig config, StepTransport transport, EpochReport.Listener l) {
        return new SparkTrainer(config, transport, CheckpointPolicy.NONE, l);
    }

    @Test
    public void skippedStepsGiveTheSameBitsInBothModes() {
        // SGD at 1e20 blows the weights up on step 1; every later step's loss is not finite and is skipped, so
        // the server publishes the same step number again, which the tasks must accept.
        TrainingConfig config = Sequential.input(64).dense(48, Activation.RELU).dense(10, Activation.SOFTMAX)
                .loss(Losses.categoricalCrossEntropy()).optimizer(Optimizers.sgd(1e20f)).scaleBy(16f).batchSize(64)
                .epochs(2).seed(11).progress((java.io.PrintStream) null).config();
        TrainingResult job = trainer(config, StepTransport.JOB, EpochReport.Listener.silent())
                .withDivergence(Divergence.SKIP).fit(digits(2), null);
        TrainingResult barrier = trainer(config, StepTransport.BARRIER, EpochReport.Listener.silent())
                .withDivergence(Divergence.SKIP).fit(digits(2), null);
        assertEquals(57L, ((Number) barrier.model().summary().get("skipped_steps")).longValue());
        assertArrayEquals(job.model().parameters(), barrier.model().parameters());
    }

    @Test
    public void barrierModeEqualsJobModeBitForBitAndItsCheckpointsResumeInJobMode() {
        TrainingConfig config = config(4);
        ShardedDataset data = digits(2);
        TrainingResult job = trainer(config, StepTransport.JOB, EpochReport.Listener.silent()).fit(data, null);
        Path dir = newTempDir();
        TrainingResult barrier = new SparkTrainer(config, StepTransport.BARRIER,
                new CheckpointPolicy(dir.toUri().toString(), 7, 0, 100), EpochReport.Listener.silent())
                .fit(data, null);
        assertArrayEquals(job.model().parameters(), barrier.model().parameters());
        assertArrayEquals(job.history().metric("val_loss"), barrier.history().metric("val_loss"));
        assertArrayEquals(job.history().metric("lr"), barrier.history().metric("lr"));
        assertEquals("barrier", barrier.model().summary().get("step_mode"));
        // 1438 training rows, batch 64: 23 steps per epoch; step 28 is inside the second epoch.
        TrainingResult resumed = trainer(config, StepTransport.JOB, EpochReport.Listener.silent())
                .resume(data, null, dir.resolve("step-000000028").toUri().toString());
        assertArrayEquals(barrier.model().parameters(), resumed.model().parameters());
    }

    @Test
    public void killingATaskMidRunRelaunchesTheStageAndChangesNothing() throws Exception {
        TrainingConfig config = config(3);
        ShardedDataset data = digits(2);
        TrainingResult undisturbed = trainer(config, StepTransport.BARRIER, EpochReport.Listener.silent())
                .fit(data, null);
        TaskWatch tasks = new TaskWatch();
        jsc().sc().addSparkListener(tasks);
        try {
            AtomicInteger killed = new AtomicInteger();
            // Inside the second epoch: kill one task of the running barrier stage.
            EpochReport.Listener killer = tasks.killingAt(jsc().sc(), 40, killed, "BarrierModeTest");
            TrainingResult disturbed = trainer(config, StepTransport.BARRIER, killer).fit(data, null);
            assertEquals(1, killed.get());
            Assertions.assertTrue(tasks.retries.get() >= 1, "the barrier stage should have been relaunched");
            assertArrayEquals(undisturbed.model().parameters(), disturbed.model().parameters());
            assertArrayEquals(undisturbed.history().metric("val_loss"), disturbed.history().metric("val_loss"));
            assertArrayEquals(undisturbed.history().metric("loss"), disturbed.history().metric("loss"));
        } finally {
            jsc().sc().removeSparkListener(tasks);
        }
    }

    @Test
    public void anUnreachableServerFailsWithinSecondsNamingHostPortAndSetting() {
        // Listening on 127.0.0.1 but advertising 127.0.0.2: every connection is refused.
        StepTransport wrong = new StepTransport(StepTransport.Mode.BARRIER, "127.0.0.2", "127.0.0.1", 0, 0, 2_000,
                60_000, 0, 2);
        long started = System.nanoTime();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> trainer(config(1), wrong, EpochReport.Listener.silent()).fit(digits(2), null));
        double seconds = (System.nanoTime() - started) / 1e9;
        System.out.printf("unreachable parameter server reported after %.2f s: %s%n", seconds, e.getMessage());
        Assertions.assertTrue(e.getMessage().matches("executors cannot reach the driver's step ports at 127\\.0\\.0\\.2 "
                + "\\(parameter server \\d+, rendezvous \\d+\\): cannot reach the driver's rendezvous at "
                + "127\\.0\\.0\\.2:\\d+ within 2000 ms.*"),
                e.getMessage());
        Assertions.assertTrue(e.getMessage().contains("training.parameter_server.host"), e.getMessage());
        Assertions.assertTrue(seconds < 20, "failed after " + seconds + " s");
    }

    @Test
    public void moreShardsThanSlotsShareTasksAndGiveJobModesBits() {
        // Three shards on local[2]'s two slots: two tasks in a tree, one holding two shards.
        TrainingConfig config = config(1);
        TrainingResult barrier = trainer(config, StepTransport.BARRIER, EpochReport.Listener.silent())
                .fit(digits(3), null);
        TrainingResult job = trainer(config, StepTransport.JOB, EpochReport.Listener.silent()).fit(digits(3), null);
        assertArrayEquals(job.model().parameters(), barrier.model().parameters());
        // The driver sent one work frame to the root and took one result back per step.
        Map<String, Long> bytes = barrier.meanStepBytes();
        long model = 4L * config.spec().parameterCount();
        Assertions.assertTrue(bytes.get("driver_out") > model && bytes.get("driver_out") < model + 64, bytes.toString());
        Assertions.assertTrue(bytes.get("driver_in") > model && bytes.get("driver_in") < model + 128, bytes.toString());
        Assertions.assertTrue(job.meanStepBytes().isEmpty());
    }

    @Test
    public void aCoalescedLineageTrainsToJobModesBits() {
        // Spark refuses barrier stages over a lineage whose partition count changes; the groups' stage
        // reads the cached shards without such a dependency.
        TrainingConfig config = config(1);
        ShardedDataset coalesced = digits(4).coalesce(2);
        TrainingResult barrier = trainer(config, StepTransport.BARRIER, EpochReport.Listener.silent())
                .fit(coalesced, null);
        TrainingResult job = trainer(config, StepTransport.JOB, EpochReport.Listener.silent()).fit(coalesced, null);
        assertArrayEquals(job.model().parameters(), barrier.model().parameters());
    }

    @Test
    public void sparksEncryptionSettingsEncryptTheStepsAndDynamicAllocationIsRefused() {
        Assertions.assertFalse(LongLivedStages.runKeys(new SparkConf()).isEncrypted());
        Assertions.assertFalse(LongLivedStages.runKeys(new SparkConf().set("spark.authenticate", "true")).isEncrypted());
        Assertions.assertTrue(LongLivedStages.runKeys(new SparkConf().set("spark.authenticate", "true")
                .set("spark.network.crypto.enabled", "true")).isEncrypted());
        Assertions.assertTrue(LongLivedStages.runKeys(new SparkConf().set("spark.ssl.enabled", "true")).isEncrypted());
        IllegalArgumentException dynamic = assertThrows(IllegalArgumentException.class,
                () -> BarrierExchange.refuseUnsupported(new SparkConf().set("spark.dynamicAllocation.enabled", "true")));
        Assertions.assertTrue(dynamic.getMessage().contains("dynamicAllocation"), dynamic.getMessage());
        BarrierExchange.refuseUnsupported(new SparkConf().set("spark.network.crypto.enabled", "true"));
    }
}
