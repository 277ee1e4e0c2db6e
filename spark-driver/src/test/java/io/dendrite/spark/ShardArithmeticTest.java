package io.dendrite.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.dendrite.core.kernel.Activation;
import io.dendrite.core.loss.Losses;
import io.dendrite.core.optim.Optimizers;
import io.dendrite.core.run.CheckpointPolicy;
import io.dendrite.core.run.EpochReport;
import io.dendrite.core.run.TrainingConfig;
import io.dendrite.core.train.Sequential;
import io.dendrite.datasets.ReadOptions;
import io.dendrite.datasets.ShardedDataset;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerStageCompleted;
import org.junit.jupiter.api.Test;

/**
 * The shards fix the arithmetic: four shards of the digits, with dropout, train to the same bits on
 * {@code local[1]}, {@code local[2]} and {@code local[4]}, with one core per task or two, in both step
 * modes, while job mode runs as many tasks per step as the cluster has task slots and barrier mode's tree
 * keeps the driver's bytes per step at two frames whatever the task count. Each run has its own
 * Spark context, so this class does not share the suite's.
 */
class ShardArithmeticTest {
    private static final int SHARDS = 4;

    private record Run(float[] weights, int tasksPerStep, java.util.Map<String, Long> bytes) {
    }

    private static TrainingConfig config() {
        return Sequential.input(64).dense(48, Activation.RELU).dropout(0.2f).dense(10, Activation.SOFTMAX)
                .loss(Losses.categoricalCrossEntropy()).optimizer(Optimizers.adam(1e-3f)).scaleBy(16f).batchSize(64)
                .seed(11).epochs(2).progress((java.io.PrintStream) null).config();
    }

    private static Run train(String master, int taskCpus, StepTransport transport) throws Exception {
        try (JavaSparkContext jsc = new JavaSparkContext(SparkDriverSuite.testConf(master, "shards")
                .set("spark.task.cpus", String.valueOf(taskCpus)))) {
            AtomicInteger tasks = new AtomicInteger();
            jsc.sc().addSparkListener(new SparkListener() {
                @Override
                public void onStageCompleted(SparkListenerStageCompleted done) {
                    if (done.stageInfo().name().startsWith("treeAggregate at JobExchange")) {
                        tasks.set(done.stageInfo().numTasks()); // the last step's
                    }
                }
            });
            ShardedDataset data = ShardedDataset.parallelize(jsc, SparkDriverSuite.DIGITS, SHARDS,
                    ReadOptions.classification(10), "digits");
            TrainingResult r = new SparkTrainer(config(), transport, CheckpointPolicy.NONE,
                    EpochReport.Listener.silent()).fit(data, null);
            jsc.sc().listenerBus().waitUntilEmpty();
            return new Run(r.model().parameters(), tasks.get(), r.meanStepBytes());
        }
    }

    @Test
    void theSameShardsGiveTheSameBitsWhateverTheClusterShape() throws Exception {
        Run reference = train("local[1]", 1, StepTransport.JOB);
        assertEquals(1, reference.tasksPerStep(), "local[1]: one task over all four shards");
        Run two = train("local[2]", 1, StepTransport.JOB);
        assertEquals(2, two.tasksPerStep());
        Run four = train("local[4]", 1, StepTransport.JOB);
        assertEquals(4, four.tasksPerStep());
        Run twoCoreTask = train("local[2]", 2, StepTransport.JOB);
        assertEquals(1, twoCoreTask.tasksPerStep(), "local[2] with two cores a task: one task on two threads");
        Run twoCoreTasks = train("local[4]", 2, StepTransport.JOB);
        assertEquals(2, twoCoreTasks.tasksPerStep());
        assertArrayEquals(reference.weights(), two.weights(), "local[2]");
        assertArrayEquals(reference.weights(), four.weights(), "local[4]");
        assertArrayEquals(reference.weights(), twoCoreTask.weights(), "local[2], one task of two cores");
        assertArrayEquals(reference.weights(), twoCoreTasks.weights(), "local[4], two tasks of two cores");
    }

    @Test
    void barrierModesTreeGivesTheSameBitsAndTheDriversBytesDoNotGrowWithTheTasks() throws Exception {
        Run reference = train("local[1]", 1, StepTransport.JOB);
        long model = 4L * config().spec().parameterCount();
        int fanOut = StepTransport.BARRIER.fanOut();
        for (String master : new String[] {"local[1]", "local[2]", "local[4]"}) {
            Run barrier = train(master, 1, StepTransport.BARRIER);
            assertArrayEquals(reference.weights(), barrier.weights(), "barrier mode on " + master);
            // One work frame to the root, one result back: at most (fan-out + 1) model sizes whatever the
            // task count, where the flat star of before sent and took one per task.
            long driver = barrier.bytes().get("driver_in") + barrier.bytes().get("driver_out");
            System.out.printf("barrier mode on %s: driver %d bytes/step, busiest node %d in, %d out (model %d)%n",
                    master, driver, barrier.bytes().get("node_in"), barrier.bytes().get("node_out"), model);
            org.junit.jupiter.api.Assertions.assertTrue(driver <= (fanOut + 1) * (model + 128), master + ": " + driver);
            org.junit.jupiter.api.Assertions.assertTrue(driver >= 2 * model, master + ": " + driver);
        }
    }
}
