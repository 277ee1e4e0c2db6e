package io.dendrite.examples;

import io.dendrite.core.data.Dataset;
import io.dendrite.core.model.Evaluation;
import io.dendrite.core.model.Model;
import io.dendrite.core.model.ModelFiles;
import io.dendrite.core.run.Streams;
import io.dendrite.core.train.Trainer;
import io.dendrite.datasets.BundledDataset;
import io.dendrite.datasets.BundledDatasets;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;

/**
 * The single-JVM example job: trains a bundled dataset's recipe on 80% of it, prints one progress line
 * per epoch, then evaluates on the held-out 20% and optionally saves the model.
 *
 * <p>Usage: {@code TrainBundled [digits|iris|breast_cancer|diabetes] [--output DIR]}.
 */
public final class TrainBundled {
    private TrainBundled() {
    }

    /** Runs the job. */
    public static void main(String[] args) throws IOException {
        String name = "digits";
        Path output = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--output") && i + 1 < args.length) {
                output = Path.of(args[++i]);
            } else if (args[i].startsWith("--")) {
                System.err.println("unknown option " + args[i] + "; usage: TrainBundled [" + String.join("|",
                        BundledDatasets.NAMES) + "] [--output DIR]");
                System.exit(2);
            } else if (!args[i].isBlank()) {
                name = args[i];
            }
        }
        run(name, output, System.out);
    }

    /** Trains and evaluates {@code name}, printing to {@code out}; returns the test evaluation. */
    public static Evaluation run(String name, Path output, PrintStream out) throws IOException {
        BundledDataset data = BundledDatasets.load(name);
        Dataset[] parts = data.data().split(Recipes.TEST_FRACTION, Streams.testSplit(Recipes.SEED));
        Trainer trainer = Recipes.forDataset(data).progress(out).build();
        out.printf("Training %s: %d train / %d test examples, %d features, network %s%n", data.name(),
                parts[0].rows(), parts[1].rows(), parts[0].featureWidth(), trainer.config().spec().describe());
        Model model = trainer.fit(parts[0]);
        Evaluation test = model.evaluate(parts[1]);
        out.println("Test " + test);
        if (test.confusion() != null) {
            out.println(test.confusion());
        }
        if (output != null) {
            ModelFiles.save(model, output);
            out.println("Model saved to " + output.toAbsolutePath());
        }
        return test;
    }
}
