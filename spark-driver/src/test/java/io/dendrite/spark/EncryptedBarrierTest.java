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
import io.dendrite.datasets.ShardedDataset;
import org.apache.spark.SparkConf;
import org.junit.Test;

/**
 * Barrier mode with Spark's authentication and network encryption on, in local[2]: the step connections
 * are TLS and the bits are job mode's. (What crosses the wire is checked by the recording proxy of the
 * parameter server's tests and by a capture on the YARN cluster.)
 */
public class EncryptedBarrierTest extends SparkDriverSuite {

    @Override
    public SparkConf conf() {
        return super.conf().set("spark.authenticate", "true")
                .set("spark.authenticate.secret", "dendrite-encrypted-barrier-test")
                .set("spark.network.crypto.enabled", "true");
    }

    private static TrainingConfig config() {
        return Sequential.input(64).dense(48, Activation.RELU).dense(10, Activation.SOFTMAX)
                .loss(Losses.categoricalCrossEntropy()).optimizer(Optimizers.adam(1e-3f)).scaleBy(16f).batchSize(64)
                .seed(5).epochs(2).progress((java.io.PrintStream) null).config();
    }

    private static SparkTrainer trainer(StepTransport transport) {
        return new SparkTrainer(config(), transport, CheckpointPolicy.NONE, EpochReport.Listener.silent());
    }

    @Test
    public void encryptedStepsGiveJobModesBits() {
        ShardedDataset data = digits(2);
        TrainingResult barrier = trainer(StepTransport.BARRIER).fit(data, null);
        TrainingResult job = trainer(StepTransport.JOB).fit(data, null);
        assertArrayEquals(job.model().parameters(), barrier.model().parameters());
        assertEquals("tls1.3", barrier.model().summary().get("step_traffic"));
        assertEquals("spark", job.model().summary().get("step_traffic"));
    }
}
