package io.dendrite.core.model;

import io.dendrite.core.data.Dataset;
import io.dendrite.core.data.FeatureScaler;
import io.dendrite.core.kernel.Kernels;
import io.dendrite.core.loss.Loss;
import io.dendrite.core.loss.LossStats;
import io.dendrite.core.loss.Losses;
import io.dendrite.core.metrics.ConfusionMatrix;
import io.dendrite.core.metrics.Metrics;
import io.dendrite.core.metrics.RegressionMetrics;
import io.dendrite.core.nn.Network;
import io.dendrite.core.nn.NetworkSpec;
import io.dendrite.core.util.Checks;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A trained network: topology, loss, the flat weights, the feature scaling fitted on its training data,
 * optional class names and a summary of how it was trained. Immutable; inputs given to it are raw
 * (unscaled) features, and the model applies its own scaling.
 */
public final class Model {
    private final NetworkSpec spec;
    private final Loss loss;
    private final float[] params;
    private final FeatureScaler scaler;
    private final List<String> labels;
    private final Map<String, Object> summary;
    private final Network network;

    /**
     * Validates that the parts fit together: weight count, finiteness, scaler and label widths. A loss with
     * example weights is kept without them ({@link Loss#unweighted}).
     */
    public Model(NetworkSpec spec, Loss trainedWith, float[] params, FeatureScaler scaler, List<String> labels,
                 Map<String, Object> summary) {
        Loss loss = trainedWith.unweighted();
        this.network = new Network(spec, loss, Kernels.get());
        network.checkParameters(params);
        for (int i = 0; i < params.length; i++) {
            Checks.checkArgument(Float.isFinite(params[i]), "weight %s must be finite but was %s", i, params[i]);
        }
        Checks.checkArgument(scaler.width() == spec.inputWidth(), "feature scaler covers %s features but the network "
                + "takes %s", scaler.width(), spec.inputWidth());
        Checks.checkArgument(labels.isEmpty() || labels.size() == classCount(spec, loss),
                "model has %s class names but %s classes", labels.size(), classCount(spec, loss));
        this.spec = spec;
        this.loss = loss;
        this.params = params.clone();
        this.scaler = scaler;
        this.labels = List.copyOf(labels);
        this.summary = Collections.unmodifiableMap(new LinkedHashMap<>(summary));
    }

    /** Classes a classifier distinguishes: its softmax width, or 2 for a single sigmoid output. */
    private static int classCount(NetworkSpec spec, Loss loss) {
        return isMultiLabel(spec, loss) || spec.outputWidth() > 1 ? spec.outputWidth() : 2;
    }

    /** Several independent sigmoid outputs: each is its own yes/no question. */
    private static boolean isMultiLabel(NetworkSpec spec, Loss loss) {
        return loss instanceof Losses.BinaryCrossEntropy && spec.outputWidth() > 1;
    }

    /** The topology. */
    public NetworkSpec spec() {
        return spec;
    }

    /** The loss it was trained with. */
    public Loss loss() {
        return loss;
    }

    /** A copy of the flat weights. */
    public float[] parameters() {
        return params.clone();
    }

    /** The feature scaling applied to raw inputs. */
    public FeatureScaler scaler() {
        return scaler;
    }

    /** Class names by index, or empty. */
    public List<String> labels() {
        return labels;
    }

    /** How it was trained: optimiser, epochs, final metrics, history. */
    public Map<String, Object> summary() {
        return summary;
    }

    /** A copy of this model with another training summary. */
    public Model withSummary(Map<String, Object> newSummary) {
        return new Model(spec, loss, params, scaler, labels, newSummary);
    }

    /** Raw outputs after the output activation: probabilities for classifiers, values for regression. */
    public float[] predictOutputs(float[] rawFeatures, int rows) {
        return outputs(scaledCopy(rawFeatures, rows), rows);
    }

    /**
     * Class probabilities, row-major {@code rows × classes}; for a single sigmoid output the two columns
     * are {@code P(0), P(1)}; for several sigmoid outputs, one independent probability per output.
     */
    public float[] predictProba(float[] rawFeatures, int rows) {
        Checks.checkArgument(loss.isClassification(), "predictProba needs a classifier but loss is %s", loss.id());
        return probabilities(outputs(scaledCopy(rawFeatures, rows), rows), rows);
    }

    /**
     * For a softmax classifier, its logits and probabilities in one pass: {@code [logits, probabilities]},
     * each row-major {@code rows × classes}; the probabilities are {@link #predictProba}'s, bit for bit.
     */
    public float[][] predictLogitsAndProba(float[] rawFeatures, int rows) {
        float[] x = scaledCopy(rawFeatures, rows);
        float[] logits = new float[rows * spec.outputWidth()];
        float[] proba = new float[logits.length];
        network.predictWithLogits(params, x, 0, rows, logits, proba, 0, network.newWorkspace());
        return new float[][] {logits, proba};
    }

    /** The most likely class per row (a single sigmoid output is thresholded at 0.5). */
    public int[] predictClasses(float[] rawFeatures, int rows) {
        Checks.checkArgument(loss.isClassification() && !isMultiLabel(spec, loss),
                "predictClasses needs a single-label classifier but the model has loss %s with %s outputs",
                loss.id(), spec.outputWidth());
        return Metrics.argmaxRows(predictProba(rawFeatures, rows), classCount(spec, loss));
    }

    /**
     * What the model predicts, one row per input: the class index (as a float) for a single-label
     * classifier, 0/1 per output for a multi-label one, the values for a regression.
     */
    public float[] predict(float[] rawFeatures, int rows) {
        Scores s = score(rawFeatures, rows);
        return s.predictionsPerRow() > 0 ? s.predictions() : s.values();
    }

    /**
     * The predictions and the values behind them, by the one rule every consumer (the API, batch scoring,
     * Spark ML) applies: a single-label classifier predicts the most likely class and gives a probability
     * per class (two for a single sigmoid output); a multi-label one predicts 0/1 per output (probability
     * at least 0.5) and gives each probability; a regression gives its values and no separate prediction.
     */
    public Scores score(float[] rawFeatures, int rows) {
        if (!loss.isClassification()) {
            float[] values = predictOutputs(rawFeatures, rows);
            return new Scores(rows, new float[0], 0, values, spec.outputWidth());
        }
        float[] proba = predictProba(rawFeatures, rows);
        int per = proba.length / Math.max(1, rows);
        if (isMultiLabel(spec, loss)) {
            float[] predictions = new float[proba.length];
            for (int i = 0; i < predictions.length; i++) {
                predictions[i] = proba[i] >= 0.5f ? 1f : 0f;
            }
            return new Scores(rows, predictions, per, proba, per);
        }
        int[] classes = Metrics.argmaxRows(proba, classCount(spec, loss));
        float[] predictions = new float[rows];
        for (int i = 0; i < rows; i++) {
            predictions[i] = classes[i];
        }
        return new Scores(rows, predictions, 1, proba, per);
    }

    /**
     * The names of {@link #score}'s columns, predictions first: {@code prediction} (or
     * {@code prediction_<i>} per output) then {@code probability_<label>} per class (labels made safe as
     * column names) or {@code probability_<i>} per output; a regression's values are its predictions.
     */
    public List<String> scoreColumns() {
        List<String> heads = new java.util.ArrayList<>();
        int outputs = spec.outputWidth();
        boolean multi = isMultiLabel(spec, loss);
        if (!loss.isClassification() || multi) {
            for (int i = 0; i < outputs; i++) {
                heads.add(outputs == 1 ? "prediction" : "prediction_" + i);
            }
            if (multi) {
                for (int i = 0; i < outputs; i++) {
                    heads.add("probability_" + i);
                }
            }
            return heads;
        }
        heads.add("prediction");
        int classes = classCount(spec, loss);
        for (int k = 0; k < classes; k++) {
            heads.add("probability_" + (k < labels.size() ? labels.get(k) : String.valueOf(k))
                    .replaceAll("[^A-Za-z0-9_]", "_"));
        }
        return heads;
    }

    /**
     * What {@link #score} gives for {@code rows} rows: {@code predictionsPerRow} predictions per row
     * (none for a regression) and {@code valuesPerRow} values per row (probabilities, or the regression's
     * outputs), both row-major.
     */
    public record Scores(int rows, float[] predictions, int predictionsPerRow, float[] values, int valuesPerRow) {
    }

    /** Loss and the metrics that fit the task, over raw (unscaled) labelled data. */
    public Evaluation evaluate(Dataset data) {
        checkWidth(data.featureWidth());
        loss.checkTargets(data.targets(), data.rows(), data.targetWidth(), spec.outputWidth());
        int rows = data.rows();
        float[] x = scaledCopy(data.features(), rows);
        LossStats stats = network.evaluate(params, x, 0, data.targets(), 0, data.targetWidth(), rows,
                network.newWorkspace());
        float[] out = outputs(x, rows);
        if (!loss.isClassification()) {
            return new Evaluation(rows, stats.meanLoss(), Double.NaN, null, Double.NaN, Double.NaN,
                    RegressionMetrics.of(out, data.targets(), spec.outputWidth()));
        }
        if (isMultiLabel(spec, loss)) {
            return new Evaluation(rows, stats.meanLoss(), stats.accuracy(), null, Double.NaN, Double.NaN, null);
        }
        int classes = classCount(spec, loss);
        float[] probs = probabilities(out, rows);
        int[] truth = trueClasses(data, classes);
        ConfusionMatrix cm = ConfusionMatrix.of(truth, Metrics.argmaxRows(probs, classes), classes);
        double auc = classes == 2 && hasBoth(truth) ? Metrics.rocAuc(column(probs, 2, 1), truth) : Double.NaN;
        return new Evaluation(rows, stats.meanLoss(), cm.accuracy(), cm, Metrics.logLoss(probs, classes, truth), auc,
                null);
    }

    private float[] outputs(float[] scaled, int rows) {
        float[] out = new float[rows * spec.outputWidth()];
        network.predict(params, scaled, 0, rows, out, 0, network.newWorkspace());
        return out;
    }

    private float[] probabilities(float[] out, int rows) {
        if (spec.outputWidth() != 1) {
            return out;
        }
        float[] two = new float[rows * 2];
        for (int i = 0; i < rows; i++) {
            two[2 * i] = 1f - out[i];
            two[2 * i + 1] = out[i];
        }
        return two;
    }

    private int[] trueClasses(Dataset data, int classes) {
        float[] t = data.targets();
        if (loss instanceof Losses.BinaryCrossEntropy) {
            int[] truth = new int[data.rows()];
            for (int i = 0; i < truth.length; i++) {
                truth[i] = t[i] >= 0.5f ? 1 : 0;
            }
            return truth;
        }
        if (data.targetWidth() == 1) {
            int[] truth = new int[data.rows()];
            for (int i = 0; i < truth.length; i++) {
                truth[i] = (int) t[i];
            }
            return truth;
        }
        return Metrics.argmaxRows(t, classes);
    }

    private float[] scaledCopy(float[] raw, int rows) {
        Checks.checkArgument(rows >= 1, "need at least one row but got %s", rows);
        Checks.checkArgument(raw.length == (long) rows * spec.inputWidth(),
                "%s rows of %s features need %s values but got %s", rows, spec.inputWidth(),
                (long) rows * spec.inputWidth(), raw.length);
        Checks.allFinite("feature", raw, 0, rows, spec.inputWidth());
        float[] x = raw.clone();
        scaler.transformInPlace(x, 0, rows);
        return x;
    }

    private void checkWidth(int width) {
        Checks.checkArgument(width == spec.inputWidth(), "data has %s features but the model expects %s", width,
                spec.inputWidth());
    }

    private static boolean hasBoth(int[] truth) {
        boolean zero = false;
        boolean one = false;
        for (int t : truth) {
            zero |= t == 0;
            one |= t == 1;
        }
        return zero && one;
    }

    private static float[] column(float[] rowMajor, int width, int col) {
        float[] out = new float[rowMajor.length / width];
        for (int i = 0; i < out.length; i++) {
            out[i] = rowMajor[i * width + col];
        }
        return out;
    }
}
