package io.dendrite.spark.ml;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import io.dendrite.core.data.Dataset;
import io.dendrite.core.model.Model;
import io.dendrite.datasets.BundledDatasets;
import io.dendrite.spark.HadoopModels;
import io.dendrite.spark.SparkDriverSuite;
import io.dendrite.spark.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.SparkException;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.ml.evaluation.RegressionEvaluator;
import org.apache.spark.ml.feature.StandardScaler;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.linalg.DenseVector;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.tuning.CrossValidator;
import org.apache.spark.ml.tuning.CrossValidatorModel;
import org.apache.spark.ml.tuning.ParamGridBuilder;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.Test;

/**
 * Dendrite in Spark ML: pipelines with Spark's own stages, fitted, scored, evaluated, saved and loaded;
 * cross-validation; the same weights as the CLI; example and class weights; bad params and columns.
 */
public class PipelineTest extends SparkDriverSuite {

    /** A bundled dataset as a DataFrame: one double column per feature ({@code f0} …), then {@code label}. */
    private org.apache.spark.sql.Dataset<Row> frame(Dataset d, int from, int to) {
        int w = d.featureWidth();
        List<StructField> fields = new ArrayList<>();
        for (int c = 0; c < w; c++) {
            fields.add(DataTypes.createStructField("f" + c, DataTypes.DoubleType, false));
        }
        fields.add(DataTypes.createStructField("label", DataTypes.DoubleType, false));
        List<Row> rows = new ArrayList<>();
        for (int r = from; r < to; r++) {
            Object[] v = new Object[w + 1];
            for (int c = 0; c < w; c++) {
                v[c] = (double) d.features()[r * w + c];
            }
            v[w] = (double) d.targets()[r];
            rows.add(RowFactory.create(v));
        }
        return spark().createDataFrame(rows, DataTypes.createStructType(fields));
    }

    /** The single-JVM recipes' split: the same held-out test rows (examples' RealDataAccuracyTest). */
    private org.apache.spark.sql.Dataset<Row>[] recipeSplit(String name) {
        Dataset[] parts = BundledDatasets.load(name).data().split(0.2, io.dendrite.core.run.Streams.testSplit(42));
        @SuppressWarnings("unchecked")
        org.apache.spark.sql.Dataset<Row>[] out = new org.apache.spark.sql.Dataset[] {
                frame(parts[0], 0, parts[0].rows()), frame(parts[1], 0, parts[1].rows())};
        return out;
    }

    private static String[] featureNames(int width) {
        String[] names = new String[width];
        for (int c = 0; c < width; c++) {
            names[c] = "f" + c;
        }
        return names;
    }

    @Test
    public void aPipelineFitsScoresAtTheSingleJvmLevelAndSurvivesSaveAndLoad() throws Exception {
        org.apache.spark.sql.Dataset<Row>[] parts = recipeSplit("digits");
        DendriteClassifier classifier = new DendriteClassifier().setFeaturesCol("scaled").setHiddenLayers(256)
                .setDropout(0.2).setMaxEpochs(40).setBatchSize(32).setSeed(3).setNumPartitions(2);
        Pipeline pipeline = new Pipeline().setStages(new PipelineStage[] {
                new VectorAssembler().setInputCols(featureNames(64)).setOutputCol("features"),
                new StandardScaler().setInputCol("features").setOutputCol("scaled").setWithMean(true),
                classifier});
        PipelineModel fitted = pipeline.fit(parts[0]);
        org.apache.spark.sql.Dataset<Row> scored = fitted.transform(parts[1]).cache();
        double accuracy = new MulticlassClassificationEvaluator().setMetricName("accuracy").evaluate(scored);
        System.out.println("PipelineTest: digits pipeline test accuracy " + accuracy);
        // The single-JVM digits recipe is held to 0.97 test accuracy (examples' RealDataAccuracyTest).
        org.junit.Assert.assertTrue("digits accuracy " + accuracy, accuracy >= 0.97);
        List<String> columns = List.of(scored.columns());
        org.junit.Assert.assertTrue(columns.toString(), columns.containsAll(List.of("f0", "label", "features", "scaled", "rawPrediction",
                "probability", "prediction")));

        DendriteClassificationModel model = (DendriteClassificationModel) fitted.stages()[2];
        assertEquals(40, model.history().get("loss").size());
        assertEquals("barrier", model.summary().get("step_mode"));
        assertEquals(10, model.numClasses());
        // The row-at-a-time API agrees with the block scoring, row by row (each row kept its own values).
        List<Row> all = scored.select("scaled", "probability", "rawPrediction", "prediction").collectAsList();
        for (Row r : all) {
            Vector x = (Vector) r.get(0);
            assertArrayEquals(((Vector) r.get(1)).toArray(), model.predictProbability(x).toArray(), 0);
            assertArrayEquals(((Vector) r.get(2)).toArray(), model.predictRaw(x).toArray(), 0);
            assertEquals(model.predict(x), r.getDouble(3), 0);
        }

        Path dir = newTempDir();
        String path = dir.resolve("pipeline").toUri().toString();
        fitted.write().save(path);
        org.junit.Assert.assertTrue(Files.exists(dir.resolve("pipeline/stages/2_" + model.uid() + "/model/weights.bin")));
        PipelineModel loaded = PipelineModel.load(path);
        List<Row> before = scored.select("prediction", "probability").collectAsList();
        List<Row> after = loaded.transform(parts[1]).select("prediction", "probability").collectAsList();
        assertEquals(before, after);
        DendriteClassificationModel back = (DendriteClassificationModel) loaded.stages()[2];
        assertEquals(model.getFeaturesCol(), back.getFeaturesCol());
        assertEquals(model.uid(), back.uid());
        assertEquals(model.history(), back.history());

        // The unfitted pipeline, with the estimator's params, saves and loads too.
        pipeline.write().save(dir.resolve("unfitted").toUri().toString());
        DendriteClassifier reloaded = (DendriteClassifier) Pipeline.load(dir.resolve("unfitted").toUri().toString())
                .getStages()[2];
        assertEquals(classifier.explainParams(), reloaded.explainParams());
        assertArrayEquals(new int[] {256}, reloaded.getHiddenLayers());
    }

    @Test
    public void crossValidationOverTwoLearningRatesPicksOne() {
        Dataset iris = BundledDatasets.load("iris").data();
        org.apache.spark.sql.Dataset<Row> df = new VectorAssembler().setInputCols(featureNames(4))
                .setOutputCol("features").transform(frame(iris, 0, iris.rows()));
        DendriteClassifier classifier = new DendriteClassifier().setHiddenLayers(16).setHiddenActivation("tanh")
                .setMaxEpochs(15).setBatchSize(16).setSeed(1).setNumPartitions(2).setScaling("standard");
        ParamMap[] grid = new ParamGridBuilder().addGrid(classifier.learningRate(), new double[] {1e-4, 3e-2}).build();
        CrossValidator cv = new CrossValidator().setEstimator(classifier).setEstimatorParamMaps(grid)
                .setEvaluator(new MulticlassClassificationEvaluator().setMetricName("accuracy")).setNumFolds(2).setSeed(5);
        CrossValidatorModel best = cv.fit(df);
        double[] metrics = best.avgMetrics();
        System.out.println("PipelineTest: cross-validated accuracy at learning rates 1e-4, 3e-2: "
                + java.util.Arrays.toString(metrics));
        assertEquals(2, metrics.length);
        // 15 epochs at 1e-4 barely move from the start; 3e-2 learns iris.
        org.junit.Assert.assertTrue(java.util.Arrays.toString(metrics), metrics[1] > metrics[0] && metrics[1] > 0.85);
        DendriteClassificationModel model = (DendriteClassificationModel) best.bestModel();
        assertEquals(3e-2, model.getLearningRate(), 1e-12);
        assertEquals(iris.rows(), best.transform(df).count());
    }

    @Test
    public void aRegressorReachesTheSingleJvmLevelAndPredictsSeveralOutputsAsAVector() {
        VectorAssembler assembler = new VectorAssembler().setInputCols(featureNames(10)).setOutputCol("features");
        org.apache.spark.sql.Dataset<Row>[] parts = recipeSplit("diabetes");
        parts[0] = assembler.transform(parts[0]);
        parts[1] = assembler.transform(parts[1]);
        DendriteRegressor regressor = new DendriteRegressor().setHiddenLayers(32).setLearningRate(1e-2)
                .setScaling("standard").setMaxEpochs(60).setSeed(2).setNumPartitions(1);
        DendriteRegressionModel model = regressor.fit(parts[0]);
        double r2 = new RegressionEvaluator().setMetricName("r2").evaluate(model.transform(parts[1]));
        // The single-JVM trainer with the same settings on the same rows: on one partition, the same weights.
        Dataset[] rows = BundledDatasets.load("diabetes").data().split(0.2, io.dendrite.core.run.Streams.testSplit(42));
        Model single = new io.dendrite.core.train.Trainer(NetworkFit.config(regressor, "test", 10, 1,
                new NetworkFit.Task(false, 0, io.dendrite.core.loss.Losses.mse(), List.of()), false),
                io.dendrite.core.run.ProgressListener.silent()).fit(rows[0]);
        assertArrayEquals(single.parameters(), model.dendriteModel().parameters(), 0f);
        double singleR2 = single.evaluate(rows[1]).regression().r2();
        System.out.println("PipelineTest: diabetes regressor test R² " + r2 + " (single JVM: " + singleR2 + ")");
        assertEquals(singleR2, r2, 1e-4);
        org.junit.Assert.assertTrue("diabetes R² " + r2, r2 >= 0.3);

        // Two outputs from a vector label: the target and its double.
        org.apache.spark.sql.Dataset<Row> two = parts[0].withColumn("pair", org.apache.spark.sql.functions.array(
                org.apache.spark.sql.functions.col("label"), org.apache.spark.sql.functions.col("label").multiply(2)));
        two = two.withColumn("pair", org.apache.spark.ml.functions.array_to_vector(two.col("pair")));
        DendriteRegressionModel pair = new DendriteRegressor().setLabelCol("pair").setHiddenLayers(8).setMaxEpochs(2)
                .setNumPartitions(2).setValidationIndicatorCol("isVal")
                .fit(two.withColumn("isVal", org.apache.spark.sql.functions.rand(3).lt(0.2)));
        assertEquals(2, pair.numOutputs());
        assertEquals(2, pair.history().get("val_loss").size());
        Row row = pair.transform(parts[1]).select("prediction").first();
        assertEquals(2, ((Vector) row.get(0)).size());
        assertEquals(SQLDataTypes.VectorType(), pair.transform(parts[1]).schema().apply("prediction").dataType());
    }

    @Test
    public void fitGivesTheWeightsOfTheCliForTheSameSettingsAndPartitioning() throws Exception {
        Dataset iris = BundledDatasets.load("iris").data();
        Path dir = newTempDir();
        String parquet = dir.resolve("iris.parquet").toUri().toString();
        new VectorAssembler().setInputCols(featureNames(4)).setOutputCol("features")
                .transform(frame(iris, 0, iris.rows())).select("features", "label").coalesce(1).write().parquet(parquet);
        Path job = dir.resolve("job.yaml");
        Files.writeString(job, String.join("\n", "model:", "  layers:", "    - dense: 12", "      activation: tanh",
                "    - dense: 3", "      activation: softmax", "  loss: categorical_crossentropy",
                "optimizer:", "  name: adam", "  learning_rate: 0.01", "data:", "  train:", "    format: parquet",
                "    path: " + parquet, "    feature_columns: [features]", "    label_column: label", "    classes: 3",
                "    partitions: 2", "training:", "  batch_size: 16", "  epochs: 3", "  seed: 21", "  mode: barrier",
                "output:", "  chart: false", ""));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int code = Main.run(spark(), new String[] {"train", "--job", job.toString(), "--output",
                dir.resolve("cli").toString()}, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        assertEquals(bytes.toString(StandardCharsets.UTF_8), 0, code);
        Model cli = HadoopModels.load(jsc().hadoopConfiguration(),
                new org.apache.hadoop.fs.Path(dir.resolve("cli").resolve("model").toUri()));

        DendriteClassificationModel ml = new DendriteClassifier().setHiddenLayers(12).setHiddenActivation("tanh")
                .setOptimizer("adam").setLearningRate(0.01).setBatchSize(16).setMaxEpochs(3).setSeed(21)
                .setNumPartitions(2).setStepMode("barrier").fit(spark().read().parquet(parquet));
        assertEquals(cli.spec(), ml.dendriteModel().spec());
        assertArrayEquals(cli.parameters(), ml.dendriteModel().parameters(), 0f);
    }

    @Test
    public void classWeightsPredictTheRareClassMoreOftenAndExampleWeightsMustBeValid() {
        // Two overlapping clouds: 1,500 rows of class 0 around (0, 0), 150 of class 1 around (1, 1).
        java.util.Random rng = new java.util.Random(5);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 1650; i++) {
            int y = i < 1500 ? 0 : 1;
            rows.add(RowFactory.create(Vectors.dense(y + rng.nextGaussian(), y + rng.nextGaussian()), (double) y,
                    i % 7 == 0 ? 2.0 : 1.0));
        }
        StructType schema = new StructType().add("features", SQLDataTypes.VectorType()).add("label", DataTypes.DoubleType)
                .add("w", DataTypes.DoubleType);
        org.apache.spark.sql.Dataset<Row> df = spark().createDataFrame(rows, schema);
        DendriteClassifier base = new DendriteClassifier().setHiddenLayers(8).setMaxEpochs(8).setLearningRate(1e-2)
                .setSeed(4).setNumPartitions(2);
        long[][] plain = confusion(base.fit(df).transform(df));
        long[][] balanced = confusion(base.copy(ParamMap.empty()).setClassWeight("balanced").fit(df).transform(df));
        System.out.println("PipelineTest: confusion unweighted " + java.util.Arrays.deepToString(plain) + ", balanced "
                + java.util.Arrays.deepToString(balanced));
        // Unweighted, the rare class is mostly predicted as the common one; balanced, most of it is found.
        org.junit.Assert.assertTrue(java.util.Arrays.deepToString(plain) + " vs " + java.util.Arrays.deepToString(balanced),
                balanced[1][1] > plain[1][1] && balanced[0][1] > plain[0][1] && balanced[1][1] > 75);
        // Example weights from a column run (weight 2 on every 7th row); with class weights they multiply.
        DendriteClassificationModel weighted = base.copy(ParamMap.empty()).setWeightCol("w").setClassWeight("1,10").fit(df);
        assertEquals(8, weighted.history().get("loss").size());

        org.apache.spark.sql.Dataset<Row> negative = df.withColumn("w",
                org.apache.spark.sql.functions.when(org.apache.spark.sql.functions.col("label").equalTo(1), -1.0)
                        .otherwise(1.0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> base.copy(ParamMap.empty()).setWeightCol("w").fit(negative));
        org.junit.Assert.assertTrue(e.getMessage(), e.getMessage().contains("column w: expected an example weight >= 0 but found -1.0"));
        e = assertThrows(IllegalArgumentException.class, () -> base.copy(ParamMap.empty()).setClassWeight("1,2,3").fit(df));
        org.junit.Assert.assertTrue(e.getMessage(), e.getMessage().contains("classWeight must be 'balanced' or 2 weights (one per class) "
                + "but has 3"));
    }

    private static long[][] confusion(org.apache.spark.sql.Dataset<Row> scored) {
        long[][] m = new long[2][2];
        for (Row r : scored.select("label", "prediction").collectAsList()) {
            m[(int) r.getDouble(0)][(int) r.getDouble(1)]++;
        }
        return m;
    }

    @Test
    public void badParamsAndColumnsFailNamingTheParamOrColumnWithExpectedAndFound() {
        DendriteClassifier c = new DendriteClassifier();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> c.setLearningRate(-0.1));
        org.junit.Assert.assertTrue(e.getMessage(), e.getMessage().contains("learningRate given invalid value -0.1"));
        e = assertThrows(IllegalArgumentException.class, () -> c.setHiddenActivation("swish"));
        org.junit.Assert.assertTrue(e.getMessage(), e.getMessage().contains("hiddenActivation given invalid value swish"));
        org.junit.Assert.assertTrue(c.explainParams(), c.explainParams().contains("hiddenActivation: activation of the hidden layers, "
                + "one of [linear, sigmoid, tanh, relu, leaky_relu, elu, gelu] (default: relu)"));

        // Getters give the values in use: the optimiser's defaults until set, NaN where it has no such setting.
        assertEquals(0.9, c.getBeta1(), 1e-7);
        assertEquals(0.001, c.getLearningRate(), 1e-9);
        DendriteClassifier sgd = new DendriteClassifier().setOptimizer("sgd").setHiddenActivation("leaky_relu");
        assertEquals(0.01, sgd.getLearningRate(), 1e-9);
        assertEquals(0.0, sgd.getMomentum(), 0);
        org.junit.Assert.assertTrue(Double.isNaN(sgd.getBeta1()));
        assertEquals(0.01, sgd.getActivationAlpha(), 1e-7);
        DendriteClassifier nesterov = new DendriteClassifier().setOptimizer("nesterov").setMomentum(0);
        e = assertThrows(IllegalArgumentException.class, nesterov::getMomentum);
        org.junit.Assert.assertTrue(e.getMessage(), e.getMessage().contains("momentum of nesterov must be in [1.0E-9, 0.999999] but is 0.0"));

        Dataset iris = BundledDatasets.load("iris").data();
        org.apache.spark.sql.Dataset<Row> raw = frame(iris, 0, iris.rows());
        org.apache.spark.sql.Dataset<Row> df = new VectorAssembler().setInputCols(featureNames(4))
                .setOutputCol("features").transform(raw);
        e = assertThrows(IllegalArgumentException.class, () -> new DendriteClassifier().setFeaturesCol("pixels").fit(df));
        org.junit.Assert.assertTrue(e.getMessage(), e.getMessage().contains("featuresCol 'pixels' is not a column of the input; its "
                + "columns are [f0, f1, f2, f3, label, features]"));
        e = assertThrows(IllegalArgumentException.class, () -> new DendriteClassifier().setFeaturesCol("f0").fit(df));
        org.junit.Assert.assertTrue(e.getMessage(), e.getMessage().contains("featuresCol 'f0' must be a vector "
                + "(org.apache.spark.ml.linalg.Vector) but is double"));
        e = assertThrows(IllegalArgumentException.class, () -> new DendriteClassifier()
                .setEarlyStoppingMonitor("val_loss").fit(df));
        org.junit.Assert.assertTrue(e.getMessage(), e.getMessage().contains("earlyStoppingMonitor 'val_loss' watches validation rows "
                + "but there are none"));

        DendriteClassificationModel model = new DendriteClassifier().setHiddenLayers(4).setNumPartitions(2).fit(df);
        // A vector column whose metadata says 3 features, then one without metadata: the first row fails.
        org.apache.spark.sql.Dataset<Row> narrow = new VectorAssembler().setInputCols(featureNames(3))
                .setOutputCol("features").transform(raw);
        e = assertThrows(IllegalArgumentException.class, () -> model.transform(narrow));
        org.junit.Assert.assertTrue(e.getMessage(), e.getMessage().contains("featuresCol 'features' holds vectors of 3 features but "
                + "the model expects 4"));
        List<Row> rows = List.of(RowFactory.create(Vectors.dense(1, 2, 3)));
        org.apache.spark.sql.Dataset<Row> unknownWidth = spark().createDataFrame(rows,
                new StructType().add("features", SQLDataTypes.VectorType()));
        SparkException failed = assertThrows(SparkException.class, () -> model.transform(unknownWidth).collectAsList());
        org.junit.Assert.assertTrue(failed.getMessage(), failed.getMessage().contains("column features: expected a vector of 4 features "
                + "but found 3"));
    }

    @Test
    public void sparseVectorsScoreAsTheirDenseForms() {
        Dataset digits = BundledDatasets.load("digits").data();
        List<Row> dense = new ArrayList<>();
        List<Row> sparse = new ArrayList<>();
        for (int r = 0; r < 400; r++) {
            double[] v = new double[64];
            for (int c = 0; c < 64; c++) {
                v[c] = digits.features()[r * 64 + c];
            }
            dense.add(RowFactory.create(new DenseVector(v), (double) digits.targets()[r]));
            sparse.add(RowFactory.create(new DenseVector(v).toSparse(), (double) digits.targets()[r]));
        }
        StructType schema = new StructType().add("features", SQLDataTypes.VectorType()).add("label", DataTypes.DoubleType);
        org.apache.spark.sql.Dataset<Row> d = spark().createDataFrame(dense, schema);
        org.apache.spark.sql.Dataset<Row> s = spark().createDataFrame(sparse, schema);
        DendriteClassifier c = new DendriteClassifier().setHiddenLayers(32).setMaxEpochs(2).setScaling("standard")
                .setSeed(9).setNumPartitions(2);
        DendriteClassificationModel fromDense = c.fit(d);
        DendriteClassificationModel fromSparse = c.fit(s);
        assertArrayEquals(fromDense.dendriteModel().parameters(), fromSparse.dendriteModel().parameters(), 0f);
        assertEquals(fromDense.transform(d).select("probability").collectAsList(),
                fromDense.transform(s).select("probability").collectAsList());
    }
}
