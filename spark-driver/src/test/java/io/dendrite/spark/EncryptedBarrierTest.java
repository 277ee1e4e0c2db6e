package io.dendrite.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.dendrite.core.kernel.Activation;
import io.dendrite.core.loss.Losses;
import io.dendrite.core.optim.Optimizers;
import io.dendrite.core.run.CheckpointPolicy;
import io.dendrite.core.run.Streams;
import io.dendrite.core.run.TrainingConfig;
import io.dendrite.core.train.Sequential;
import io.dendrite.datasets.ShardedDataset;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.apache.spark.SparkConf;
import org.junit.Test;
import org.junit.jupiter.api.Assertions;

/**
 * Barrier mode with Spark's authentication and network encryption on, in local[2]: the step connections
 * are TLS, the bits are job mode's, and a capture of the loopback interface during the run holds no
 * plaintext weights and none of the step protocol.
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
    public void encryptedStepsGiveJobModesBitsAndNoPlaintextCrossesLoopback() throws Exception {
        ShardedDataset data = digits(2);
        TrainingConfig config = config();
        float[] initial = config.spec().initialParameters(Streams.init(config.seed()));
        TrainingResult barrier;
        byte[] pcap;
        try (LoopbackCapture capture = LoopbackCapture.start(newTempDir().resolve("steps.pcap"))) {
            barrier = trainer(StepTransport.BARRIER).fit(data, null);
            pcap = capture.stop();
        }
        TrainingResult job = trainer(StepTransport.JOB).fit(data, null);
        assertArrayEquals(job.model().parameters(), barrier.model().parameters());
        assertEquals("tls1.3", barrier.model().summary().get("step_traffic"));
        assertEquals("spark", job.model().summary().get("step_traffic"));

        // 1797 rows, batch 64: 29 steps an epoch, 58 in all; every step sends the weights down and a share up.
        long stepBytes = 2L * 58 * 4 * initial.length;
        Assertions.assertTrue(pcap.length > stepBytes, "the capture holds " + pcap.length + " bytes, fewer than the "
                + stepBytes + " the steps moved");
        Assertions.assertTrue(indexOf(pcap, new byte[] {0x16, 0x03, 0x01}) >= 0 || indexOf(pcap, new byte[] {0x16, 0x03, 0x03})
                >= 0, "a TLS handshake record in the capture");
        ByteBuffer w = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 16; i++) {
            w.putFloat(initial[i]);
        }
        assertEquals(-1, indexOf(pcap, w.array()), "the first step's weights crossed loopback in the clear");
        byte[] magic = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0x44505331).array();
        assertEquals(-1, indexOf(pcap, magic), "the step protocol's challenge crossed loopback in the clear");
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
