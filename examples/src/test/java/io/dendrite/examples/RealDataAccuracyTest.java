package io.dendrite.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dendrite.core.data.Dataset;
import io.dendrite.core.model.Evaluation;
import io.dendrite.core.model.Model;
import io.dendrite.core.model.ModelFiles;
import io.dendrite.core.run.Streams;
import io.dendrite.datasets.BundledDatasets;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The recipes on real data, fixed seeds, evaluated on a held-out 20% the training never sees. */
class RealDataAccuracyTest {

    private static Evaluation run(String name) throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Evaluation e = TrainBundled.run(name, null, new PrintStream(log, true, StandardCharsets.UTF_8));
        System.out.println(name + ": test " + e);
        return e;
    }

    @Test
    void digitsReachesNinetySevenPercent() throws Exception {
        Evaluation e = run("digits");
        assertEquals(359, e.examples());
        assertTrue(e.accuracy() >= 0.97, "digits test accuracy " + e.accuracy());
    }

    @Test
    void breastCancerWithSigmoidAndBinaryCrossEntropyReachesNinetySixPercent() throws Exception {
        Evaluation e = run("breast_cancer");
        assertEquals(114, e.examples());
        assertTrue(e.accuracy() >= 0.96, "breast cancer test accuracy " + e.accuracy());
        assertTrue(e.rocAuc() >= 0.98, "breast cancer ROC AUC " + e.rocAuc());
    }

    @Test
    void diabetesRegressionReachesRSquaredPointFour() throws Exception {
        Evaluation e = run("diabetes");
        assertEquals(88, e.examples());
        assertTrue(e.regression().r2() >= 0.40, "diabetes test R² " + e.regression().r2());
    }

    @Test
    void irisIsLearned() throws Exception {
        assertTrue(run("iris").accuracy() >= 0.9);
    }

    @Test
    void savedDigitsModelPredictsExactlyAsTrained(@TempDir Path dir) throws Exception {
        Dataset[] parts = BundledDatasets.load("digits").data().split(Recipes.TEST_FRACTION, Streams.testSplit(Recipes.SEED));
        Model model = Recipes.forDataset(BundledDatasets.load("digits")).epochs(3).progress((PrintStream) null).build()
                .fit(parts[0]);
        ModelFiles.save(model, dir);
        Model back = ModelFiles.load(dir);
        float[] x = parts[1].features();
        assertArrayEquals(model.predictProba(x, parts[1].rows()), back.predictProba(x, parts[1].rows()));
        assertEquals(model.labels(), back.labels());
        assertEquals(model.scaler(), back.scaler());
    }
}
