package io.dendrite.spark;

import io.dendrite.core.data.FeatureScaler;
import io.dendrite.core.kernel.Activation;
import io.dendrite.core.loss.Losses;
import io.dendrite.core.model.Evaluation;
import io.dendrite.core.nn.Initializer;
import io.dendrite.core.optim.Optimizers;
import io.dendrite.core.run.CheckpointPolicy;
import io.dendrite.core.run.TrainingConfig;
import io.dendrite.core.train.Sequential;
import io.dendrite.datasets.IdxReader;
import io.dendrite.datasets.ReadOptions;
import io.dendrite.datasets.ShardedDataset;
import io.dendrite.datasets.Storage;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.Assume;
import org.junit.Test;
import org.junit.jupiter.api.Assertions;

/**
 * The accuracy target on real data in Spark local mode: Fashion-MNIST (Debian's
 * dataset-fashion-mnist, 60k/10k), 784-256-256-10 with ReLU, dropout and Adam, at least 0.88 test
 * accuracy within 10 epochs (the test set measured after each). Pixels are cached as uint8 and scaled per
 * batch on the executors; steps run in barrier mode.
 */
public class FashionMnistSparkTest extends SparkDriverSuite {
    private static final Path DIR = Path.of("/usr/share/datasets/fashion-mnist");

    private ShardedDataset read(String prefix) {
        ReadOptions opts = ReadOptions.classification(10).withStorage(Storage.UINT8).withPartitions(2);
        return IdxReader.read(jsc(), DIR.resolve(prefix + "-images-idx3-ubyte.gz").toUri().toString(),
                DIR.resolve(prefix + "-labels-idx1-ubyte.gz").toUri().toString(), opts);
    }

    @Test
    public void reaches088TestAccuracyWithin10Epochs() {
        Assume.assumeTrue("Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist); skipping",
                Files.exists(DIR.resolve("train-images-idx3-ubyte.gz")));
        ShardedDataset train = read("train");
        ShardedDataset test = read("t10k");
        train.cache();
        TrainingConfig config = Sequential.input(784)
                .dense(256, Activation.RELU, Initializer.HE_UNIFORM).dropout(0.2f)
                .dense(256, Activation.RELU, Initializer.HE_UNIFORM).dropout(0.2f)
                .dense(10, Activation.SOFTMAX)
                .loss(Losses.categoricalCrossEntropy()).optimizer(Optimizers.adam(2e-3f))
                // Cosine decay over the 10 epochs (118 steps each), as a tuned Keras recipe would.
                .schedule(io.dendrite.core.optim.LearningRateSchedule.cosine(1180, 0f))
                .scaleBy(255f).batchSize(BATCH).epochs(10).seed(42).config();
        Assertions.assertEquals(FeatureScaler.Kind.CONSTANT, config.scaling());
        StringBuilder log = new StringBuilder();
        // Barrier mode: the same bits as job mode (BarrierModeTest), in a fraction of the time.
        TrainingResult r = new SparkTrainer(config, StepTransport.BARRIER, CheckpointPolicy.NONE, rep -> {
            System.out.println(rep.line());
            log.append(rep.line()).append('\n');
        }).fit(train, test); // the test set is measured after every epoch
        Evaluation e = SparkEvaluator.evaluate(r.model(), test);
        System.out.println("Fashion-MNIST test: " + e);
        Assertions.assertEquals(10_000, e.examples());
        Assertions.assertEquals(10, r.history().epochs());
        double[] accuracy = r.history().metric("val_accuracy");
        Assertions.assertEquals(e.accuracy(), accuracy[accuracy.length - 1], 1e-6, "the last epoch's is the model's");
        double best = java.util.Arrays.stream(accuracy).max().orElse(0);
        Assertions.assertTrue(best >= 0.88, "best test accuracy " + best + " within 10 epochs\n" + log);
    }

    private static final int BATCH = 512;
}
