package io.dendrite.core.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dendrite.core.data.Dataset;
import io.dendrite.core.kernel.Activation;
import io.dendrite.core.loss.Losses;
import io.dendrite.core.model.Evaluation;
import io.dendrite.core.model.Model;
import io.dendrite.core.optim.LearningRateSchedule;
import io.dendrite.core.optim.Optimizers;
import io.dendrite.core.run.EarlyStopping;
import io.dendrite.core.run.ReduceLrOnPlateau;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class TrainerTest {

    private static Sequential classifier(long seed) {
        return Sequential.input(6)
                .dense(16, Activation.RELU)
                .dropout(0.2f)
                .dense(3, Activation.SOFTMAX)
                .loss(Losses.categoricalCrossEntropy())
                .optimizer(Optimizers.adam(1e-2f))
                .batchSize(16).epochs(8).seed(seed)
                .validationSplit(0.25)
                .progress((PrintStream) null);
    }

    @Test
    void sameSeedGivesBitIdenticalWeights() {
        Dataset data = Blobs.classes(300, 6, 3, 1);
        float[] a = classifier(9).build().fit(data).parameters();
        float[] b = classifier(9).build().fit(data).parameters();
        assertArrayEquals(a, b);
        float[] c = classifier(10).build().fit(data).parameters();
        assertFalse(Arrays.equals(a, c), "another seed gives other weights");
    }

    @Test
    void twoFitsOfOneTrainerShareNoState() {
        Dataset data = Blobs.classes(300, 6, 3, 1);
        Trainer trainer = classifier(5).build();
        assertArrayEquals(trainer.fit(data).parameters(), trainer.fit(data).parameters());
    }

    @Test
    void batchAndStochasticGradientDescentBothLearn() {
        Dataset data = Blobs.classes(240, 6, 3, 2);
        for (int batch : new int[] {240, 1}) {
            Model m = Sequential.input(6)
                    .dense(8, Activation.TANH)
                    .dense(3, Activation.SOFTMAX)
                    .loss(Losses.categoricalCrossEntropy())
                    .optimizer(Optimizers.sgd(batch == 1 ? 0.01f : 0.5f))
                    .batchSize(batch).epochs(batch == 1 ? 5 : 60).seed(3)
                    .progress((PrintStream) null)
                    .build().fit(data);
            double[] loss = history(m, "loss");
            assertTrue(loss[loss.length - 1] < 0.5 * loss[0], "batch " + batch + " loss falls: " + Arrays.toString(loss));
            assertTrue(m.evaluate(data).accuracy() > 0.95, "batch " + batch + " accuracy");
            assertEquals((long) (batch == 1 ? 5 * 240 : 60), ((Number) m.summary().get("steps")).longValue());
        }
    }

    @Test
    void multiOutputRegressionFitsALinearTarget() {
        Dataset data = Blobs.linearTwoOutputs(400, 4);
        Model m = Sequential.input(3)
                .dense(2, Activation.LINEAR)
                .loss(Losses.mse())
                .optimizer(Optimizers.adam(5e-2f))
                .batchSize(32).epochs(60).seed(1)
                .progress((PrintStream) null)
                .build().fit(data);
        Evaluation e = m.evaluate(data);
        assertTrue(e.regression().r2() > 0.999, "R² " + e.regression().r2());
        float[] w = m.parameters();
        assertEquals(1f, w[0], 0.02f, "x0 → output 0");
        assertEquals(2f, w[2], 0.02f, "x1 → output 0");
        assertEquals(-1f, w[5], 0.02f, "x2 → output 1");
    }

    @Test
    void earlyStoppingStopsAndKeepsTheBestEpochsWeights() {
        Dataset data = Blobs.classes(200, 6, 3, 7);
        Dataset[] parts = data.split(0.3, 1);
        // A learning rate far too high makes validation loss wander, so patience runs out.
        Model m = Sequential.input(6)
                .dense(32, Activation.RELU)
                .dense(3, Activation.SOFTMAX)
                .loss(Losses.categoricalCrossEntropy())
                .optimizer(Optimizers.sgd(3f))
                .batchSize(8).epochs(200).seed(2)
                .earlyStopping(new EarlyStopping("val_loss", 0f, 3, true))
                .progress((PrintStream) null)
                .build().fit(parts[0], parts[1]);
        double[] val = history(m, "val_loss");
        assertTrue(val.length < 200, "stopped early after " + val.length + " epochs");
        int best = ((Number) m.summary().get("best_epoch")).intValue();
        double min = Arrays.stream(val).min().orElseThrow();
        assertEquals(min, val[best - 1], 0.0);
        assertEquals(val.length - 3, best, "stopped exactly patience epochs after the best");
        assertEquals(min, m.evaluate(parts[1]).loss(), 1e-4 * Math.max(1, min), "restored weights give the best loss");
    }

    @Test
    void scheduleAndPlateauDriveTheRecordedRate() {
        Dataset data = Blobs.classes(64, 6, 3, 3);
        Model m = classifier(1).batchSize(64).epochs(4).validationSplit(0)
                .schedule(LearningRateSchedule.step(2, 0.5f))
                .reduceLrOnPlateau(new ReduceLrOnPlateau("loss", 0.1f, 0, 100f, 0, 0f))
                .build().fit(data);
        // Step decay halves every 2 steps (1 step per epoch); the plateau (min_delta 100: never improves after the
        // first epoch) cuts by 10 after each later epoch.
        assertArrayEquals(new double[] {1e-2, 1e-2, 5e-4, 5e-5}, history(m, "lr"), 1e-9);
    }

    @Test
    void printsOneKerasStyleLinePerEpoch() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        classifier(1).epochs(3).progress(new PrintStream(buf, true, StandardCharsets.UTF_8)).build()
                .fit(Blobs.classes(120, 6, 3, 1));
        String[] lines = buf.toString(StandardCharsets.UTF_8).split("\\R");
        assertEquals(3, lines.length);
        for (int i = 0; i < 3; i++) {
            assertTrue(lines[i].matches("Epoch " + (i + 1) + "/3 - \\d+\\.\\d\\ds - loss: \\d\\.\\d{4} - accuracy: "
                    + "\\d\\.\\d{4} - val_loss: \\d\\.\\d{4} - val_accuracy: \\d\\.\\d{4} - lr: 0\\.0100 - \\d+ ex/s"),
                    lines[i]);
        }
    }

    private static double[] history(Model m, String metric) {
        @SuppressWarnings("unchecked")
        java.util.Map<String, java.util.List<Double>> h = (java.util.Map<String, java.util.List<Double>>) m.summary()
                .get("history");
        return h.get(metric).stream().mapToDouble(Double::doubleValue).toArray();
    }
}
