package io.dendrite.core.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.dendrite.core.data.Dataset;
import io.dendrite.core.kernel.Activation;
import io.dendrite.core.loss.Losses;
import io.dendrite.core.model.Model;
import io.dendrite.core.optim.Optimizers;
import io.dendrite.core.run.EarlyStopping;
import java.io.PrintStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Every caller mistake fails at the public edge naming the parameter, the expected and the actual value. */
class BadInputTest {

    private static String fails(Executable e) {
        return assertThrows(IllegalArgumentException.class, e).getMessage();
    }

    private static Sequential net() {
        return Sequential.input(4).dense(8, Activation.RELU).dense(3, Activation.SOFTMAX)
                .loss(Losses.categoricalCrossEntropy()).epochs(1).progress((PrintStream) null);
    }

    @Test
    void shapeMismatches() {
        Dataset five = Dataset.of(new float[10], 5, new float[2], 1);
        assertEquals("training data has 5 features but the network expects 4", fails(() -> net().build().fit(five)));
        assertEquals("features hold 10 values, which is not a whole number of rows of width 4",
                fails(() -> Dataset.of(new float[10], 4, new float[2], 1)));
        assertEquals("2 rows of features need 2 target values (width 1) but got 3",
                fails(() -> Dataset.of(new float[8], 4, new float[3], 1)));
        Dataset wideTargets = Dataset.of(new float[8], 4, new float[4], 2);
        assertEquals("training data: categorical_crossentropy expects targets of width 1 (class index) or 3 (one-hot) "
                + "but got width 2", fails(() -> net().build().fit(wideTargets)));
        Model m = net().build().fit(Dataset.of(new float[8], 4, new float[] {0, 1}, 1));
        assertEquals("3 rows of 4 features need 12 values but got 8", fails(() -> m.predict(new float[8], 3)));
    }

    @Test
    void nonFiniteValues() {
        assertEquals("feature row 1 column 2 must be a finite number but was NaN",
                fails(() -> Dataset.of(new float[] {0, 0, 0, 0, 0, 0, Float.NaN, 0}, 4, new float[2], 1)));
        assertEquals("target row 0 column 0 must be a finite number but was Infinity",
                fails(() -> Dataset.of(new float[4], 4, new float[] {Float.POSITIVE_INFINITY}, 1)));
        Model m = net().build().fit(Dataset.of(new float[8], 4, new float[] {0, 1}, 1));
        assertEquals("feature row 0 column 3 must be a finite number but was -Infinity",
                fails(() -> m.predict(new float[] {0, 0, 0, Float.NEGATIVE_INFINITY}, 1)));
    }

    @Test
    void labelsOutOfRange() {
        Dataset bad = Dataset.of(new float[8], 4, new float[] {0, 3}, 1);
        assertEquals("training data: class label at row 1 must be an integer in [0, 3) but was 3.0",
                fails(() -> net().build().fit(bad)));
        Dataset fractional = Dataset.of(new float[8], 4, new float[] {0.5f, 1}, 1);
        assertEquals("training data: class label at row 0 must be an integer in [0, 3) but was 0.5",
                fails(() -> net().build().fit(fractional)));
        Trainer binary = Sequential.input(4).dense(1, Activation.SIGMOID).loss(Losses.binaryCrossEntropy())
                .progress((PrintStream) null).build();
        assertEquals("training data: binary_crossentropy target at row 0 column 0 must be in [0, 1] but was 2.0",
                fails(() -> binary.fit(Dataset.of(new float[4], 4, new float[] {2}, 1))));
    }

    @Test
    void emptyData() {
        assertEquals("dataset is empty: it must hold at least one row",
                fails(() -> Dataset.of(new float[0], 4, new float[0], 1)));
    }

    @Test
    void invalidHyperparameters() {
        assertEquals("learning rate must be a finite number > 0 but was -0.1", fails(() -> Optimizers.sgd(-0.1f)));
        assertEquals("dropout rate must be in [0, 1) but was 1.0", fails(() -> net().dropout(1f)));
        assertEquals("dropout rate must be in [0, 1) but was -0.2", fails(() -> net().dropout(-0.2f)));
        assertEquals("dense layer units must be >= 1 but was 0", fails(() -> net().dense(0, Activation.RELU)));
        assertEquals("batch size must be >= 1 but was 0", fails(() -> net().batchSize(0).build()));
        assertEquals("epochs must be >= 1 but was 0", fails(() -> net().epochs(0).build()));
        assertEquals("validation split must be in [0, 1) but was 1.5", fails(() -> net().validationSplit(1.5).build()));
        assertEquals("l2 must be a finite number >= 0 but was -1.0", fails(() -> net().l2(-1f).build()));
        assertEquals("input width must be >= 1 but was 0", fails(() -> Sequential.input(0)));
        assertEquals("a loss is required, e.g. loss(Losses.categoricalCrossEntropy())",
                fails(() -> Sequential.input(3).dense(2, Activation.SOFTMAX).build()));
        assertEquals("binary_crossentropy needs a sigmoid (or linear logit) output layer but got softmax",
                fails(() -> Sequential.input(3).dense(2, Activation.SOFTMAX).loss(Losses.binaryCrossEntropy()).build()));
    }

    @Test
    void monitoringValidationWithoutValidationData() {
        Dataset data = Dataset.of(new float[8], 4, new float[] {0, 1}, 1);
        assertEquals("a callback monitors a val_ metric but there is no validation data; set validationSplit or pass a "
                + "validation set", fails(() -> net().earlyStopping(EarlyStopping.onValidationLoss(2)).build().fit(data)));
    }
}
