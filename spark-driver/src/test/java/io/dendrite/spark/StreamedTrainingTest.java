package io.dendrite.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dendrite.core.kernel.Activation;
import io.dendrite.core.loss.Losses;
import io.dendrite.core.optim.Optimizers;
import io.dendrite.core.run.CheckpointPolicy;
import io.dendrite.core.run.EpochReport;
import io.dendrite.core.run.TrainingConfig;
import io.dendrite.core.train.Sequential;
import io.dendrite.datasets.ReadOptions;
import io.dendrite.datasets.ShardedDataset;
import io.dendrite.datasets.Synthetic;
import java.util.Arrays;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;

/**
 * Streamed training data (read afresh each epoch, shuffled within windows, never cached): generated rows in
 * four shards give the same bits whatever the tasks and threads, a window holding a whole shard gives the
 * cached run's bits, rows the source knows are not read before training, and a task killed mid-epoch is
 * relaunched, reopens its streams at the step in progress and changes nothing. Each run has its own Spark
 * context.
 */
class StreamedTrainingTest {
    private static final Synthetic.Spec DATA = new Synthetic.Spec(1_000, 16, 4, true, 16, 0.1f, 3, 4);
    private static final int EPOCHS = 2;

    private record Run(float[] weights, double[] loss, int jobs, int stageRetries, Map<String, Object> summary) {
    }

    private static TrainingConfig config() {
        return Sequential.input(16).dense(24, Activation.RELU).dropout(0.2f).dense(4, Activation.SOFTMAX)
                .loss(Losses.categoricalCrossEntropy()).optimizer(Optimizers.adam(1e-3f)).batchSize(64).seed(5)
                .epochs(EPOCHS).progress((java.io.PrintStream) null).config();
    }

    /** Trains on {@code master}; streamed in windows of {@code window} rows, or cached when it is 0. */
    private static Run train(String master, int taskCpus, int window, long killAtStep) throws Exception {
        try (JavaSparkContext jsc = new JavaSparkContext(SparkDriverSuite.testConf(master, "streamed")
                .set("spark.task.cpus", String.valueOf(taskCpus)))) {
            TaskWatch watch = new TaskWatch();
            jsc.sc().addSparkListener(watch);
            ShardedDataset data = Synthetic.generate(jsc, DATA, ReadOptions.classification(4));
            SparkTrainer trainer = new SparkTrainer(config(), StepTransport.BARRIER, CheckpointPolicy.NONE,
                    killAtStep < 0 ? EpochReport.Listener.silent() : killer(jsc, watch, killAtStep));
            TrainingResult r = (window > 0 ? trainer.streaming(window) : trainer).fit(data, null);
            jsc.sc().listenerBus().waitUntilEmpty();
            return new Run(r.model().parameters(), r.history().metric("loss"), watch.jobs.get(), watch.retries.get(),
                    r.model().summary());
        }
    }

    /** Kills one task of the running barrier stage once step {@code at} is applied. */
    private static EpochReport.Listener killer(JavaSparkContext jsc, TaskWatch watch, long at) {
        return new EpochReport.Listener() {
            @Override
            public void onEpochEnd(EpochReport report) {
            }

            @Override
            public void onStepEnd(long step) {
                if (step == at) {
                    jsc.sc().killTaskAttempt(watch.anyRunning(), true, "killed by StreamedTrainingTest at step " + at);
                }
            }
        };
    }

    @Test
    void smallWindowsGiveTheSameBitsWhateverTheTasksAndThreads() throws Exception {
        Run one = train("local[1]", 1, 37, -1);
        Run two = train("local[2]", 1, 37, -1);
        Run twoThreads = train("local[2]", 2, 37, -1);
        assertArrayEquals(one.weights(), two.weights(), "local[2], two tasks");
        assertArrayEquals(one.weights(), twoThreads.weights(), "local[2], one task on two threads");
        // Known rows: nothing is read before the barrier stages, one job an epoch.
        assertEquals(EPOCHS, one.jobs(), "jobs besides the barrier stages");
        assertEquals(Map.of("shuffle_window", 37), one.summary().get("streamed"));
        Run wider = train("local[2]", 1, 101, -1);
        assertFalse(Arrays.equals(one.weights(), wider.weights()), "the window decides the order");
    }

    @Test
    void aWindowHoldingEachShardGivesTheCachedRunsBits() throws Exception {
        Run cached = train("local[2]", 1, 0, -1);
        Run streamed = train("local[2]", 1, 250, -1);
        assertArrayEquals(cached.weights(), streamed.weights());
        assertArrayEquals(cached.loss(), streamed.loss());
    }

    @Test
    void aTaskKilledMidEpochReopensItsStreamsAndChangesNothing() throws Exception {
        Run undisturbed = train("local[2]", 1, 37, -1);
        // 1000 rows, batch 64: 16 steps an epoch; step 22 is inside the second.
        Run disturbed = train("local[2]", 1, 37, 22);
        assertTrue(disturbed.stageRetries() >= 1, "the barrier stage should have been relaunched");
        assertArrayEquals(undisturbed.weights(), disturbed.weights());
        assertArrayEquals(undisturbed.loss(), disturbed.loss());
    }

    /** An IDX file of {@code dims}, each value {@code fill(i)}. */
    private static byte[] idx(int[] dims, java.util.function.IntUnaryOperator fill) {
        int values = 1;
        for (int d : dims) {
            values *= d;
        }
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4 + 4 * dims.length + values);
        b.put((byte) 0).put((byte) 0).put((byte) 8).put((byte) dims.length);
        for (int d : dims) {
            b.putInt(d);
        }
        for (int i = 0; i < values; i++) {
            b.put((byte) fill.applyAsInt(i));
        }
        return b.array();
    }

    @Test
    void aShardThatFailsMidRunIsTheCauseReported() throws Exception {
        // 400 records of 16 pixels in two shards, streamed from the file each epoch. After epoch 1 the file
        // loses records 250 onward: shard 1 (records 200-399) fails reading; shard 0 only loses its tree peer.
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("dendrite-streamed");
        java.nio.file.Path images = dir.resolve("images.idx");
        java.nio.file.Path labels = dir.resolve("labels.idx");
        byte[] full = idx(new int[] {400, 4, 4}, i -> (i * 37) % 251);
        java.nio.file.Files.write(images, full);
        java.nio.file.Files.write(labels, idx(new int[] {400}, i -> i % 4));
        TrainingConfig config = Sequential.input(16).dense(8, Activation.RELU).dense(4, Activation.SOFTMAX)
                .loss(Losses.categoricalCrossEntropy()).optimizer(Optimizers.adam(1e-3f)).batchSize(40).seed(5)
                .epochs(3).progress((java.io.PrintStream) null).config();
        try (JavaSparkContext jsc = new JavaSparkContext(SparkDriverSuite.testConf("local[2]", "streamed-failure")
                .set("spark.task.maxFailures", "1"))) {
            ShardedDataset data = io.dendrite.datasets.IdxReader.read(jsc, images.toString(), labels.toString(),
                    ReadOptions.classification(4).withPartitions(2));
            EpochReport.Listener truncate = new EpochReport.Listener() {
                @Override
                public void onEpochEnd(EpochReport report) {
                    if (report.epoch() == 1) {
                        try {
                            java.nio.file.Files.write(images, java.util.Arrays.copyOf(full, 16 + 250 * 16));
                        } catch (java.io.IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    }
                }
            };
            Exception e = assertThrows(Exception.class, () -> new SparkTrainer(config, StepTransport.BARRIER,
                    CheckpointPolicy.NONE, truncate).streaming(50).fit(data, null));
            System.out.println("reported: " + e.getMessage());
            // One line naming the shard, the file and the fault, and no relaunch of the stage for bad input.
            assertTrue(e instanceof IllegalArgumentException, String.valueOf(e));
            assertTrue(e.getMessage().startsWith("the training data failed to read in epoch 2: task 1 on executor "
                    + "driver"), e.getMessage());
            assertTrue(e.getMessage().contains("IllegalArgumentException: streamed shard 1: file:" + images
                    + ": truncated: the header declares 400 records"), e.getMessage());
            assertEquals(-1, e.getMessage().indexOf('\n'), e.getMessage());
        }
    }

    @Test
    void aStreamedRunResumesMidEpochToTheSameBitsAndOnlyWithItsWindow() throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("dendrite-streamed-ck");
        try (JavaSparkContext jsc = new JavaSparkContext(SparkDriverSuite.testConf("local[2]", "streamed-resume"))) {
            ShardedDataset data = Synthetic.generate(jsc, DATA, ReadOptions.classification(4));
            TrainingResult whole = new SparkTrainer(config(), StepTransport.BARRIER,
                    new CheckpointPolicy(dir.toUri().toString(), 5, 0, 100), EpochReport.Listener.silent())
                    .streaming(37).fit(data, null);
            // 16 steps an epoch: step 20 is inside the second.
            String step20 = dir.resolve("step-000000020").toUri().toString();
            SparkTrainer trainer = new SparkTrainer(config(), StepTransport.BARRIER, CheckpointPolicy.NONE,
                    EpochReport.Listener.silent());
            TrainingResult resumed = trainer.streaming(37).resume(data, null, step20);
            assertArrayEquals(whole.model().parameters(), resumed.model().parameters());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> trainer.streaming(101).resume(data, null, step20));
            assertTrue(e.getMessage().contains("data.shuffle_window: checkpoint 37, this run 101"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> trainer.resume(data, null, step20));
            assertTrue(e.getMessage().contains("data.shuffle_window: checkpoint 37, this run (none)"), e.getMessage());
        }
    }

    @Test
    void jobModeRefusesStreamedData() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new SparkTrainer(config(),
                StepTransport.JOB, CheckpointPolicy.NONE, EpochReport.Listener.silent()).streaming(100));
        assertTrue(e.getMessage().startsWith("streamed training data (data.stream: true) needs training.mode: barrier"), e.getMessage());
    }
}
