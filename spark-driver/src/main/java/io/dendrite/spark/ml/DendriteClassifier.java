package io.dendrite.spark.ml;

import io.dendrite.core.loss.Losses;
import io.dendrite.spark.TrainingResult;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.ml.attribute.Attribute;
import org.apache.spark.ml.attribute.NominalAttribute;
import org.apache.spark.ml.classification.ProbabilisticClassifier;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

/**
 * A feed-forward network classifier for Spark ML pipelines, trained by Dendrite's distributed loop:
 * hidden dense layers ({@link #hiddenLayers()}, {@link #hiddenActivation()}), then a softmax over the
 * classes with categorical cross-entropy. Labels are class indices 0 … k−1 (a {@code StringIndexer}'s
 * output); k comes from the label column's metadata or its largest value. Example weights
 * ({@link #weightCol()}) and class weights ({@link #classWeight()}) scale each example's loss and
 * gradient. The fitted {@link DendriteClassificationModel} gives {@code rawPrediction} (the logits),
 * {@code probability} and {@code prediction}.
 */
public final class DendriteClassifier
        extends ProbabilisticClassifier<Vector, DendriteClassifier, DendriteClassificationModel>
        implements NetworkSetters<DendriteClassifier>, DefaultParamsWritable {
    private static final long serialVersionUID = 1L;
    /** The most classes a label column may hold. */
    static final int MAX_CLASSES = 1 << 16;
    private final String uid;

    /** A classifier with a new uid and every param at its default. */
    public DendriteClassifier() {
        this(Uids.random("dendriteClassifier"));
    }

    /** A classifier with {@code uid} (how Spark reloads a saved one) and every param at its default. */
    public DendriteClassifier(String uid) {
        this(Uids.pending(uid), 0);
    }

    private DendriteClassifier(String uid, int unused) {
        super();
        this.uid = uid;
        Uids.done();
        NetworkParams.setDefaults(this);
        setDefault(classWeight(), "");
    }

    @Override
    public String uid() {
        return uid != null ? uid : Uids.current();
    }

    @Override
    public String explainParam(org.apache.spark.ml.param.Param<?> param) {
        return NetworkParams.explain(this, param);
    }

    /** Class weights: empty (none), {@code balanced} (n / (k · n_c)) or one weight per class, comma-separated. */
    public Param<String> classWeight() {
        return new Param<>(this, "classWeight", "class weights multiplied into each example's weight: empty for "
                + "none, 'balanced' for n / (classes * rows of the class), or one weight >= 0 per class, "
                + "comma-separated (e.g. '1,5')");
    }

    /** Sets {@link #classWeight()}. */
    public DendriteClassifier setClassWeight(String weights) {
        set(classWeight(), weights);
        return this;
    }

    /** The class weights as set. */
    public String getClassWeight() {
        return (String) getOrDefault(classWeight());
    }

    /** Checks the columns (naming the param and column when one is missing or of the wrong type), then fits. */
    @Override
    public DendriteClassificationModel fit(Dataset<?> dataset) {
        String stage = "DendriteClassifier " + uid();
        Columns.vector(stage, dataset.schema(), "featuresCol", getFeaturesCol(), 0);
        Columns.numeric(stage, dataset.schema(), "labelCol", getLabelCol());
        return super.fit(dataset);
    }

    @Override
    public DendriteClassificationModel train(Dataset<?> dataset) {
        String stage = "DendriteClassifier " + uid();
        int classes = getNumClasses(dataset, MAX_CLASSES);
        if (classes < 2) {
            throw new IllegalArgumentException(stage + ": labelCol '" + getLabelCol() + "' must hold at least 2 "
                    + "classes but holds " + classes);
        }
        List<String> labels = classNames(dataset, classes);
        Dataset<?> counted = getValidationIndicatorCol().isEmpty() ? dataset
                : dataset.filter(functions.not(functions.coalesce(functions.col(getValidationIndicatorCol()),
                functions.lit(false))));
        Column classWeights = classWeights(stage, counted, classes);
        TrainingResult result = NetworkFit.fit(this, stage, dataset, getFeaturesCol(), getLabelCol(),
                new NetworkFit.Task(true, classes, Losses.categoricalCrossEntropy(), labels), classWeights);
        return new DendriteClassificationModel(uid(), result.model());
    }

    /** The class names from a StringIndexer's metadata, when it has one name per class. */
    private List<String> classNames(Dataset<?> dataset, int classes) {
        Attribute a = Attribute.fromStructField(dataset.schema().apply(getLabelCol()));
        if (a instanceof NominalAttribute n && n.values().isDefined() && n.values().get().length == classes) {
            return Arrays.asList(n.values().get());
        }
        return List.of();
    }

    /** Each row's class weight as a column, or null when no class weights are set. */
    private Column classWeights(String stage, Dataset<?> trainRows, int classes) {
        String spec = getClassWeight().trim();
        if (spec.isEmpty()) {
            return null;
        }
        double[] w = new double[classes];
        if (spec.equals("balanced")) {
            long[] counts = new long[classes];
            long total = 0;
            for (Row r : trainRows.groupBy(functions.col(getLabelCol()).cast("int")).count().collectAsList()) {
                if (!r.isNullAt(0) && r.getInt(0) >= 0 && r.getInt(0) < classes) {
                    counts[r.getInt(0)] = r.getLong(1);
                    total += r.getLong(1);
                }
            }
            for (int k = 0; k < classes; k++) {
                w[k] = counts[k] == 0 ? 0 : (double) total / ((double) classes * counts[k]);
            }
        } else {
            String[] parts = spec.split(",");
            if (parts.length != classes) {
                throw new IllegalArgumentException(stage + ": classWeight must be 'balanced' or " + classes
                        + " weights (one per class) but has " + parts.length + ": '" + spec + "'");
            }
            for (int k = 0; k < classes; k++) {
                try {
                    w[k] = Double.parseDouble(parts[k].trim());
                } catch (NumberFormatException e) {
                    w[k] = Double.NaN;
                }
                if (!(w[k] >= 0) || Double.isInfinite(w[k])) {
                    throw new IllegalArgumentException(stage + ": classWeight of class " + k + " must be a number >= 0 "
                            + "but is '" + parts[k].trim() + "'");
                }
            }
        }
        List<Column> values = new ArrayList<>();
        for (double v : w) {
            values.add(functions.lit(v));
        }
        Column label = functions.col(getLabelCol()).cast("int");
        // A label outside [0, classes) gives null here; the reader refuses that label first, naming it.
        return functions.when(label.between(0, classes - 1),
                functions.element_at(functions.array(values.toArray(new Column[0])), label.plus(1)));
    }

    @Override
    public DendriteClassifier copy(ParamMap extra) {
        return defaultCopy(extra);
    }

    /** Reads a classifier saved with {@code write().save(path)}. */
    public static MLReader<DendriteClassifier> read() {
        return new DefaultParamsReader<>();
    }

    /** Loads a classifier saved at {@code path}. */
    public static DendriteClassifier load(String path) {
        return read().load(path);
    }
}
