package io.dendrite.spark.ml;

import io.dendrite.core.loss.Loss;
import io.dendrite.spark.TrainingResult;
import java.util.List;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.regression.Regressor;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;

/**
 * A feed-forward network regressor for Spark ML pipelines, trained by Dendrite's distributed loop: hidden
 * dense layers, then one linear output per target. The label column is numeric (one output) or a vector
 * (as many outputs as it has values). The loss is {@code mse} (default), {@code mae} or {@code huber}, each
 * averaged over an example's outputs; {@link #weightCol()} weighs examples.
 */
public final class DendriteRegressor extends Regressor<Vector, DendriteRegressor, DendriteRegressionModel>
        implements NetworkSetters<DendriteRegressor>, DefaultParamsWritable {
    private static final long serialVersionUID = 1L;
    /** The losses a regressor takes. */
    static final List<String> LOSSES = List.of("mse", "mae", "huber");
    private final String uid;

    /** A regressor with a new uid and every param at its default. */
    public DendriteRegressor() {
        this(Uids.random("dendriteRegressor"));
    }

    /** A regressor with {@code uid} (how Spark reloads a saved one) and every param at its default. */
    public DendriteRegressor(String uid) {
        this(Uids.pending(uid), 0);
    }

    private DendriteRegressor(String uid, int unused) {
        super();
        this.uid = uid;
        Uids.done();
        NetworkParams.setDefaults(this);
        setDefault(loss(), "mse");
        setDefault(huberDelta(), 1.0);
    }

    @Override
    public String uid() {
        return uid != null ? uid : Uids.current();
    }

    @Override
    public String explainParam(org.apache.spark.ml.param.Param<?> param) {
        return NetworkParams.explain(this, param);
    }

    /** The loss. */
    public Param<String> loss() {
        return new Param<>(this, "loss", "loss, one of " + LOSSES + ", averaged over an example's outputs",
                ParamValidators.inArray(LOSSES.toArray(new String[0])));
    }

    /** Huber's threshold. */
    public DoubleParam huberDelta() {
        return new DoubleParam(this, "huberDelta", "threshold of the huber loss, quadratic within it (> 0)",
                ParamValidators.gt(0));
    }

    /** Sets {@link #loss()}. */
    public DendriteRegressor setLoss(String name) {
        set(loss(), name);
        return this;
    }

    /** Sets {@link #huberDelta()}. */
    public DendriteRegressor setHuberDelta(double delta) {
        set(huberDelta(), delta);
        return this;
    }

    /** The loss's name. */
    public String getLoss() {
        return (String) getOrDefault(loss());
    }

    /** Huber's threshold. */
    public double getHuberDelta() {
        return (Double) getOrDefault(huberDelta());
    }

    /**
     * Checks the columns (naming the param and column when one is missing or of the wrong type), then fits;
     * a vector label (several outputs) skips Spark's cast of the label to a double.
     */
    @Override
    public DendriteRegressionModel fit(Dataset<?> dataset) {
        String stage = "DendriteRegressor " + uid();
        Columns.vector(stage, dataset.schema(), "featuresCol", getFeaturesCol(), 0);
        if (!Columns.numericOrVector(stage, dataset.schema(), "labelCol", getLabelCol())) {
            return super.fit(dataset);
        }
        return copyValues(train(dataset).setParent(this), ParamMap.empty());
    }

    @Override
    public DendriteRegressionModel train(Dataset<?> dataset) {
        String stage = "DendriteRegressor " + uid();
        Loss loss = Loss.of(string(loss()), (float) number(huberDelta()));
        TrainingResult result = NetworkFit.fit(this, stage, dataset, getFeaturesCol(), getLabelCol(),
                new NetworkFit.Task(false, 0, loss, List.of()), null);
        return new DendriteRegressionModel(uid(), result.model());
    }

    @Override
    public DendriteRegressor copy(ParamMap extra) {
        return defaultCopy(extra);
    }

    /** Reads a regressor saved with {@code write().save(path)}. */
    public static MLReader<DendriteRegressor> read() {
        return new DefaultParamsReader<>();
    }

    /** Loads a regressor saved at {@code path}. */
    public static DendriteRegressor load(String path) {
        return read().load(path);
    }
}
