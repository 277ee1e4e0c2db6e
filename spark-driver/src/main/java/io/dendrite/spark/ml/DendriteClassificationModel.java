package io.dendrite.spark.ml;

import io.dendrite.core.model.Model;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.classification.ProbabilisticClassificationModel;
import org.apache.spark.ml.linalg.DenseVector;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * A fitted {@link DendriteClassifier}: {@link #transform} scores whole blocks of rows through the kernel
 * and appends {@code rawPrediction} (the logits), {@code probability} (their softmax, as
 * {@link Model#predictProba} gives it) and {@code prediction}. It carries the trained network
 * ({@link #dendriteModel()}, which also exports to ONNX) and the run's per-epoch history and summary.
 */
public final class DendriteClassificationModel
        extends ProbabilisticClassificationModel<Vector, DendriteClassificationModel>
        implements NetworkParams, ModelIO.Fitted {
    private static final long serialVersionUID = 1L;
    private final String uid;
    private final Model model;

    /** A model of {@code uid} around a trained softmax classifier. */
    public DendriteClassificationModel(String uid, Model model) {
        this(Uids.pending(uid), model, 0);
    }

    private DendriteClassificationModel(String uid, Model model, int unused) {
        super();
        this.uid = uid;
        Uids.done();
        if (model.spec().outputLayer().activation().kind() != io.dendrite.core.kernel.Activation.Kind.SOFTMAX) {
            throw new IllegalArgumentException("a DendriteClassificationModel needs a softmax output layer but "
                    + "the model's is " + model.spec().outputLayer().activation().id());
        }
        this.model = model;
        NetworkParams.setDefaults(this);
    }

    @Override
    public String uid() {
        return uid != null ? uid : Uids.current();
    }

    /** How {@link #transform} treats rows whose features hold a null, NaN or infinite value: error, skip or keep. */
    public DendriteClassificationModel setHandleInvalid(String mode) {
        set(handleInvalid(), mode);
        return this;
    }

    @Override
    public String explainParam(org.apache.spark.ml.param.Param<?> param) {
        return NetworkParams.explain(this, param);
    }

    @Override
    public Model dendriteModel() {
        return model;
    }

    /** Spark ML's training-summary lookup (both base classes declare it; this model keeps no Spark summary). */
    @Override
    @SuppressWarnings("rawtypes")
    public scala.Tuple3 findSummaryModel() {
        return super.findSummaryModel();
    }

    @Override
    public int numClasses() {
        return model.spec().outputWidth();
    }

    @Override
    public int numFeatures() {
        return model.spec().inputWidth();
    }

    /** The logits of one row (for a whole DataFrame, {@link #transform} scores blocks of rows at once). */
    @Override
    public Vector predictRaw(Vector features) {
        float[][] lp = model.predictLogitsAndProba(floats(features), 1);
        return Scoring.vector(lp[0], 0, numClasses());
    }

    @Override
    public Vector raw2probabilityInPlace(Vector raw) {
        double[] v = ((DenseVector) raw).values();
        double max = Double.NEGATIVE_INFINITY;
        for (double x : v) {
            max = Math.max(max, x);
        }
        double sum = 0;
        for (int k = 0; k < v.length; k++) {
            v[k] = Math.exp(v[k] - max);
            sum += v[k];
        }
        for (int k = 0; k < v.length; k++) {
            v[k] /= sum;
        }
        return raw;
    }

    /** The class probabilities of one row, as {@link Model#predictProba} gives them. */
    @Override
    public Vector predictProbability(Vector features) {
        return Scoring.vector(model.predictProba(floats(features), 1), 0, numClasses());
    }

    private float[] floats(Vector features) {
        return Scoring.floats("DendriteClassificationModel " + uid(), features, numFeatures());
    }

    /**
     * Appends the model's columns to every row, scoring a block of rows at a time, on a batch or a
     * streaming DataFrame; checks the features column (present, a vector, of the model's width when its
     * metadata tells) and the thresholds (one per class) first.
     */
    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        String stage = "DendriteClassificationModel " + uid();
        Columns.vector(stage, dataset.schema(), "featuresCol", getFeaturesCol(), numFeatures());
        StructType checked = transformSchema(dataset.schema());
        List<StructField> fields = new ArrayList<>(List.of(dataset.schema().fields()));
        boolean raw = !getRawPredictionCol().isEmpty();
        boolean probability = !getProbabilityCol().isEmpty();
        boolean prediction = !getPredictionCol().isEmpty();
        for (String c : List.of(getRawPredictionCol(), getProbabilityCol(), getPredictionCol())) {
            if (!c.isEmpty()) {
                fields.add(checked.apply(c));
            }
        }
        double[] thresholds = isDefined(thresholds()) ? getThresholds() : null;
        if (thresholds != null && thresholds.length != numClasses()) {
            // MLlib's own check and words (ProbabilisticClassificationModel.transform).
            throw new IllegalArgumentException("requirement failed: " + getClass().getSimpleName() + ".transform() "
                    + "called with non-matching numClasses and thresholds.length. numClasses=" + numClasses()
                    + ", but thresholds has length " + thresholds.length);
        }
        return Scoring.transform(dataset, model, getFeaturesCol(),
                new Scoring.ClassifierOutput(raw, probability, prediction, thresholds),
                new StructType(fields.toArray(new StructField[0])), stage, getHandleInvalid());
    }

    @Override
    public DendriteClassificationModel copy(ParamMap extra) {
        return copyValues(new DendriteClassificationModel(uid(), model), extra).setParent(parent());
    }

    /** Reads a model saved with {@code write().save(path)} or inside a pipeline model. */
    public static MLReader<DendriteClassificationModel> read() {
        return new ModelIO.Reader<>(DendriteClassificationModel.class, DendriteClassificationModel::new);
    }

    /** Loads a model saved at {@code path}. */
    public static DendriteClassificationModel load(String path) {
        return read().load(path);
    }

    @Override
    public String toString() {
        return "DendriteClassificationModel: uid=" + uid() + ", " + model.spec().describe() + ", numClasses="
                + numClasses() + ", numFeatures=" + numFeatures();
    }
}
