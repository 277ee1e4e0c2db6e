package io.dendrite.spark.ml;

import io.dendrite.core.model.Model;
import java.util.List;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.regression.RegressionModel;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * A fitted {@link DendriteRegressor}: {@link #transform} scores whole blocks of rows through the kernel
 * and appends {@code prediction}, a double for one output or a vector for several. It carries the trained
 * network ({@link #dendriteModel()}) and the run's per-epoch history and summary.
 */
public final class DendriteRegressionModel extends RegressionModel<Vector, DendriteRegressionModel>
        implements NetworkParams, ModelIO.Fitted {
    private static final long serialVersionUID = 1L;
    private final String uid;
    private final Model model;

    /** A model of {@code uid} around a trained regression network. */
    public DendriteRegressionModel(String uid, Model model) {
        this(Uids.pending(uid), model, 0);
    }

    private DendriteRegressionModel(String uid, Model model, int unused) {
        super();
        this.uid = uid;
        Uids.done();
        if (model.loss().isClassification()) {
            throw new IllegalArgumentException("a DendriteRegressionModel needs a regression network but the model's "
                    + "loss is " + model.loss().id());
        }
        this.model = model;
        NetworkParams.setDefaults(this);
    }

    @Override
    public String uid() {
        return uid != null ? uid : Uids.current();
    }

    /** How {@link #transform} treats rows whose features hold a null, NaN or infinite value: error, skip or keep. */
    public DendriteRegressionModel setHandleInvalid(String mode) {
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

    /** Outputs per row. */
    public int numOutputs() {
        return model.spec().outputWidth();
    }

    @Override
    public int numFeatures() {
        return model.spec().inputWidth();
    }

    /** One row's prediction, for a single-output model (a whole DataFrame goes through {@link #transform}). */
    @Override
    public double predict(Vector features) {
        if (numOutputs() != 1) {
            throw new IllegalArgumentException("DendriteRegressionModel " + uid() + " has " + numOutputs()
                    + " outputs; predict one row with dendriteModel().predictOutputs, or use transform");
        }
        return model.predictOutputs(Scoring.floats("DendriteRegressionModel " + uid(), features, numFeatures()), 1)[0];
    }

    /** The input's columns plus the prediction: a double, or a vector of {@link #numOutputs()} values. */
    @Override
    public StructType transformSchema(StructType schema) {
        String stage = "DendriteRegressionModel " + uid();
        Columns.vector(stage, schema, "featuresCol", getFeaturesCol(), numFeatures());
        if (getPredictionCol().isEmpty()) {
            return schema;
        }
        if (List.of(schema.fieldNames()).contains(getPredictionCol())) {
            throw new IllegalArgumentException(stage + ": predictionCol '" + getPredictionCol() + "' already exists "
                    + "in the input");
        }
        DataType type = numOutputs() == 1 ? DataTypes.DoubleType : new VectorUDT();
        return schema.add(getPredictionCol(), type, false);
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        StructType out = transformSchema(dataset.schema());
        if (getPredictionCol().isEmpty()) {
            return dataset.toDF();
        }
        return Scoring.transform(dataset, model, getFeaturesCol(), new Scoring.RegressionOutput(numOutputs() > 1), out,
                "DendriteRegressionModel " + uid(), getHandleInvalid());
    }

    @Override
    public DendriteRegressionModel copy(ParamMap extra) {
        return copyValues(new DendriteRegressionModel(uid(), model), extra).setParent(parent());
    }

    /** Reads a model saved with {@code write().save(path)} or inside a pipeline model. */
    public static MLReader<DendriteRegressionModel> read() {
        return new ModelIO.Reader<>(DendriteRegressionModel.class, DendriteRegressionModel::new);
    }

    /** Loads a model saved at {@code path}. */
    public static DendriteRegressionModel load(String path) {
        return read().load(path);
    }

    @Override
    public String toString() {
        return "DendriteRegressionModel: uid=" + uid() + ", " + model.spec().describe() + ", numOutputs="
                + numOutputs() + ", numFeatures=" + numFeatures();
    }
}
