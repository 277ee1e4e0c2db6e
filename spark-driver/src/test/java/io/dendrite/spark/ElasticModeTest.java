package io.dendrite.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.dendrite.core.kernel.Activation;
import io.dendrite.core.loss.Losses;
import io.dendrite.core.optim.Optimizers;
import io.dendrite.core.run.CheckpointPolicy;
import io.dendrite.core.run.EpochReport;
import io.dendrite.core.run.ReduceLrOnPlateau;
import io.dendrite.core.run.TrainingConfig;
import io.dendrite.core.train.Sequential;
import io.dendrite.datasets.ShardedDataset;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.Test;
import org.junit.jupiter.api.Assertions;

/**
 * Elastic mode (ordinary long-lived tasks, each step's shards assigned by the driver) against job mode on
 * the bundled digits, in local[2]: the same bits, and a task killed mid-run costs only its own shards of
 * one step while Spark relaunches that task alone.
 */
public class ElasticModeTest extends SparkDriverSuite {

    private static TrainingConfig config(int epochs) {
        return Sequential.input(64).dense(48, Activation.RELU).dropout(0.2f).dense(10, Activation.SOFTMAX)
                .loss(Losses.categoricalCrossEntropy()).optimizer(Optimizers.adam(1e-3f)).scaleBy(16f).batchSize(64)
                .seed(23).epochs(epochs).validationSplit(0.2)
                .reduceLrOnPlateau(new ReduceLrOnPlateau("val_loss", 0.5f, 0, 0f, 0, 0f))
                .progress((java.io.PrintStream) null).config();
    }

    private static SparkTrainer trainer(TrainingConfig config, StepTransport transport, EpochReport.Listener l) {
        return new SparkTrainer(config, transport, CheckpointPolicy.NONE, l);
    }

    @Test
    public void elasticModeEqualsJobModeBitForBit() {
        TrainingConfig config = config(3);
        ShardedDataset data = digits(4);
        TrainingResult job = trainer(config, StepTransport.JOB, EpochReport.Listener.silent()).fit(data, null);
        TrainingResult elastic = trainer(config, StepTransport.ELASTIC, EpochReport.Listener.silent()).fit(data, null);
        assertArrayEquals(job.model().parameters(), elastic.model().parameters());
        assertArrayEquals(job.history().metric("val_loss"), elastic.history().metric("val_loss"));
        assertEquals("elastic", elastic.model().summary().get("step_mode"));
        assertEquals(0L, ((Number) elastic.model().summary().get("recomputed_shard_steps")).longValue());
    }

    @Test
    public void aKilledTaskCostsOnlyItsOwnShardsAndIsRelaunchedAlone() throws Exception {
        TrainingConfig config = config(3);
        ShardedDataset data = digits(4);
        TrainingResult undisturbed = trainer(config, StepTransport.ELASTIC, EpochReport.Listener.silent())
                .fit(data, null);
        TaskWatch tasks = new TaskWatch();
        jsc().sc().addSparkListener(tasks);
        try {
            AtomicInteger killed = new AtomicInteger();
            EpochReport.Listener killer = tasks.killingAt(jsc().sc(), 40, killed, "ElasticModeTest"); // epoch 2
            TrainingResult disturbed = trainer(config, StepTransport.ELASTIC, killer).fit(data, null);
            assertEquals(1, killed.get());
            assertEquals(0, tasks.retries.get(), "no stage was relaunched");
            long deadline = System.nanoTime() + 10_000_000_000L; // Spark's listener bus delivers late
            while (tasks.taskRetries.get() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            Assertions.assertTrue(tasks.taskRetries.get() >= 1, "the killed task should have been relaunched");
            assertArrayEquals(undisturbed.model().parameters(), disturbed.model().parameters());
            assertArrayEquals(undisturbed.history().metric("loss"), disturbed.history().metric("loss"));
            long recomputed = ((Number) disturbed.model().summary().get("recomputed_shard_steps")).longValue();
            // local[2] runs two tasks of two shards each: at most the killed task's two shards of one step.
            Assertions.assertTrue(recomputed <= 2, "recomputed " + recomputed + " shard-steps");
        } finally {
            jsc().sc().removeSparkListener(tasks);
        }
    }
}
