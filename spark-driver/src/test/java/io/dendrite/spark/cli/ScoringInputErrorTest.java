package io.dendrite.spark.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.dendrite.core.data.Dataset;
import io.dendrite.core.kernel.Activation;
import io.dendrite.core.loss.Losses;
import io.dendrite.core.model.Model;
import io.dendrite.core.optim.Optimizers;
import io.dendrite.core.train.Sequential;
import io.dendrite.spark.HadoopModels;
import io.dendrite.spark.SparkDriverSuite;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.SparkConf;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.junit.Test;
import org.junit.jupiter.api.Assertions;

/**
 * On a master that retries failed tasks (as a cluster does), a bad row found while scoring fails the job
 * once, with one line and exit code 2, without a failed (and so retried) task, and leaves no output.
 */
public class ScoringInputErrorTest extends SparkDriverSuite {

    @Override
    public SparkConf conf() {
        return super.conf().setMaster("local[2,4]");
    }

    @Test
    public void aBadRowWhileScoringIsOneLineWithoutRetries() throws Exception {
        Path dir = newTempDir();
        Dataset data = Dataset.of(new float[] {0, 0, 1, 1, 0, 1, 1, 0}, 2, new float[] {0, 1, 1, 0}, 1);
        Model model = Sequential.input(2).dense(2, Activation.SOFTMAX).loss(Losses.categoricalCrossEntropy())
                .optimizer(Optimizers.sgd(0.1f)).epochs(1).progress((PrintStream) null).build().fit(data);
        HadoopModels.save(jsc().hadoopConfiguration(), model, new org.apache.hadoop.fs.Path(dir.resolve("model").toUri()));
        StringBuilder csv = new StringBuilder("id,a,b\n");
        for (int r = 0; r < 200; r++) {
            csv.append("r").append(r).append(',').append(r == 150 ? "oops" : "1").append(",0\n");
        }
        Path input = Files.writeString(dir.resolve("in.csv"), csv);
        AtomicInteger failedTasks = new AtomicInteger();
        SparkListener listener = new SparkListener() {
            @Override
            public void onTaskEnd(SparkListenerTaskEnd end) {
                if (!end.taskInfo().successful()) {
                    failedTasks.incrementAndGet();
                }
            }
        };
        jsc().sc().addSparkListener(listener);
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            int code = Main.run(spark(), new String[] {"score", "--model", dir.resolve("model").toString(), "--input",
                input.toString(), "--id-columns", "id", "--output", dir.resolve("scored").toString()},
                    new PrintStream(bytes, true, StandardCharsets.UTF_8));
            String out = bytes.toString(StandardCharsets.UTF_8);
            assertEquals(2, code, out);
            Assertions.assertEquals(1, out.lines().count(), out);
            Assertions.assertTrue(out.matches("(?s)dendrite: file:.*in\\.csv line 152 column 2: expected a number but "
                    + "found 'oops'\\s*"), out);
            jsc().sc().listenerBus().waitUntilEmpty(10_000);
            assertEquals(0, failedTasks.get(), "no task failed, so none was retried");
            Assertions.assertFalse(Files.exists(dir.resolve("scored")), "no partial output is left");
        } finally {
            jsc().sc().removeSparkListener(listener);
        }
    }
}
