package io.dendrite.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.SparkConf;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.junit.Test;
import org.junit.jupiter.api.Assertions;

/**
 * A deterministic input error is reported once, not retried: on a master that retries failed tasks (as a
 * cluster does, {@code spark.task.maxFailures} times), reading a file with a bad row fails no task.
 */
public class InputErrorRetryTest extends SparkSuite {

    @Override
    public SparkConf conf() {
        return super.conf().setMaster("local[2,4]");
    }

    @Test
    public void aBadRowFailsTheReadOnceWithoutFailingATask() throws Exception {
        AtomicInteger failedTasks = new AtomicInteger();
        AtomicInteger tasks = new AtomicInteger();
        SparkListener listener = new SparkListener() {
            @Override
            public void onTaskEnd(SparkListenerTaskEnd end) {
                tasks.incrementAndGet();
                if (!end.taskInfo().successful()) {
                    failedTasks.incrementAndGet();
                }
            }
        };
        jsc().sc().addSparkListener(listener);
        try {
            StringBuilder csv = new StringBuilder("a,b,label\n");
            for (int r = 0; r < 50; r++) {
                csv.append(r == 37 ? "x" : "1").append(",2,").append(r % 2).append('\n');
            }
            Path f = write(newTempDir().resolve("bad.csv"), csv.toString());
            ShardedDataset d = TextReaders.csv(jsc(), f.toString(), TextReaders.CsvOptions.withHeader("label"),
                    ReadOptions.classification(2).withPartitions(3));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, d::cache);
            Assertions.assertTrue(e.getMessage().matches("file:.*bad\\.csv line 39 column 1: expected a number but "
                    + "found 'x'"), e.getMessage());
            jsc().sc().listenerBus().waitUntilEmpty(10_000);
            Assertions.assertTrue(tasks.get() > 0, "tasks ran");
            assertEquals(0, failedTasks.get(), "no task failed, so none was retried");
        } finally {
            jsc().sc().removeSparkListener(listener);
        }
    }
}
