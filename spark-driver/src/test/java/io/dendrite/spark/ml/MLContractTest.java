package io.dendrite.spark.ml;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import io.dendrite.core.data.Dataset;
import io.dendrite.datasets.BundledDatasets;
import io.dendrite.spark.SparkDriverSuite;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.function.VoidFunction2;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.Trigger;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.Test;

/**
 * What Spark MLlib's own suites hold every classifier and regressor to ({@code MLTestingUtils.checkCopyAndUids},
 * param validation when set, {@code ProbabilisticClassifierSuite}'s thresholds, {@code MLTest.testTransformer}'s
 * stream and batch, {@code SchemaUtils}' type messages), applied to Dendrite's estimators and models.
 */
public class MLContractTest extends SparkDriverSuite {

    /** The first {@code rows} digits as label, features (a dense vector). */
    private org.apache.spark.sql.Dataset<Row> digitsFrame(int rows) {
        Dataset d = BundledDatasets.load("digits").data();
        List<Row> out = new ArrayList<>();
        for (int r = 0; r < rows; r++) {
            double[] v = new double[64];
            for (int c = 0; c < 64; c++) {
                v[c] = d.features()[r * 64 + c];
            }
            out.add(RowFactory.create((double) d.targets()[r], Vectors.dense(v)));
        }
        return spark().createDataFrame(out, new StructType().add("label", DataTypes.DoubleType)
                .add("features", SQLDataTypes.VectorType()));
    }

    @Test
    public void aFittedModelHasItsEstimatorsUidAndParentAndCopiesKeepIt() {
        org.apache.spark.sql.Dataset<Row> df = digitsFrame(300);
        DendriteClassifier c = new DendriteClassifier().setHiddenLayers(8).setMaxEpochs(1).setNumPartitions(2);
        DendriteClassificationModel m = c.fit(df);
        assertEquals(c.uid(), m.uid());
        assertEquals(c, m.parent());
        DendriteClassificationModel copy = m.copy(ParamMap.empty());
        assertEquals(m.uid(), copy.uid());
        assertEquals(m.parent(), copy.parent());
        DendriteRegressor r = new DendriteRegressor().setHiddenLayers(4).setMaxEpochs(1).setNumPartitions(2);
        DendriteRegressionModel rm = r.fit(df);
        assertEquals(r.uid(), rm.uid());
        assertEquals(rm.uid(), rm.copy(ParamMap.empty()).uid());
    }

    @Test
    public void hiddenLayersAreCheckedWhenSetLikeEveryParam() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new DendriteClassifier().setHiddenLayers(0));
        org.junit.Assert.assertTrue(e.getMessage(), e.getMessage().contains("hiddenLayers must each be >= 1 but layer 1 of [0] has 0"));
        assertThrows(IllegalArgumentException.class, () -> new DendriteRegressor().setHiddenLayers(16, -2));
        DendriteClassifier c = new DendriteClassifier();
        // Through a ParamMap, as a grid search sets it: Spark's own validation.
        assertThrows(IllegalArgumentException.class, () -> ParamMap.empty().put(c.hiddenLayers(), new int[] {8, 0}));
        assertArrayEquals(new int[0], new DendriteClassifier().setHiddenLayers().getHiddenLayers());
    }

    @Test
    public void thresholdsOfAnotherLengthAreRefusedAtTransformInMllibsWords() {
        org.apache.spark.sql.Dataset<Row> df = digitsFrame(300);
        DendriteClassificationModel m = new DendriteClassifier().setHiddenLayers(8).setMaxEpochs(1)
                .setNumPartitions(2).fit(df);
        for (double[] t : new double[][] {{0.5, 0.5}, new double[12]}) {
            java.util.Arrays.fill(t, 0.5);
            // As a grid search or an estimator's thresholds reach the model: not through the model's setter.
            DendriteClassificationModel bad = m.copy(new ParamMap().put(m.thresholds(), t));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> bad.transform(df));
            assertEquals("requirement failed: DendriteClassificationModel.transform() called with non-matching "
                    + "numClasses and thresholds.length. numClasses=10, but thresholds has length " + t.length,
                    e.getMessage());
        }
        double[] ten = new double[10];
        java.util.Arrays.fill(ten, 0.1);
        assertEquals(300, m.copy(ParamMap.empty()).setThresholds(ten).transform(df).count());
    }

    @Test
    public void transformScoresAStreamAsItScoresTheBatch() throws Exception {
        org.apache.spark.sql.Dataset<Row> df = digitsFrame(300);
        DendriteClassificationModel m = new DendriteClassifier().setHiddenLayers(8).setMaxEpochs(2)
                .setNumPartitions(2).setSeed(3).fit(df);
        DendriteRegressionModel rm = new DendriteRegressor().setHiddenLayers(4).setMaxEpochs(1)
                .setNumPartitions(2).fit(df);
        Path dir = newTempDir();
        df.withColumn("id", functions.monotonically_increasing_id()).write().parquet(dir.resolve("rows").toString());
        org.apache.spark.sql.Dataset<Row> batch = spark().read().parquet(dir.resolve("rows").toString());
        org.apache.spark.sql.Dataset<Row> stream = spark().readStream().schema(batch.schema())
                .parquet(dir.resolve("rows").toString());
        org.junit.Assert.assertTrue(stream.isStreaming());
        String[] cols = {"id", "rawPrediction", "probability", "prediction"};
        assertEquals(sorted(m.transform(batch).select("id", cols[1], cols[2], cols[3])),
                sorted(drain(m.transform(stream).select("id", cols[1], cols[2], cols[3]), "classified")));
        assertEquals(sorted(rm.transform(batch).select("id", "prediction")),
                sorted(drain(rm.transform(stream).select("id", "prediction"), "regressed")));
    }

    /** Every row a streaming query over the files gives, collected batch by batch. */
    private static List<Row> drain(org.apache.spark.sql.Dataset<Row> stream, String name) throws Exception {
        List<Row> rows = java.util.Collections.synchronizedList(new ArrayList<>());
        StreamingQuery q = stream.writeStream().queryName(name).trigger(Trigger.AvailableNow())
                .foreachBatch((VoidFunction2<org.apache.spark.sql.Dataset<Row>, Long>) (batch, id) ->
                        rows.addAll(batch.collectAsList())).start();
        try {
            q.awaitTermination();
        } finally {
            q.stop();
        }
        return rows;
    }

    private static List<String> sorted(org.apache.spark.sql.Dataset<Row> df) {
        return sorted(df.collectAsList());
    }

    private static List<String> sorted(List<Row> rows) {
        return rows.stream().map(r -> {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < r.length(); i++) {
                Object v = r.get(i);
                b.append(v instanceof Vector vec ? java.util.Arrays.toString(vec.toArray()) : String.valueOf(v)).append(' ');
            }
            return b.toString();
        }).sorted().toList();
    }

    @Test
    public void wrongLabelAndWeightTypesAreNamedInOurWordsAndSparks() {
        org.apache.spark.sql.Dataset<Row> df = digitsFrame(50).withColumn("name", functions.lit("x"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new DendriteClassifier().setLabelCol("name").fit(df));
        org.junit.Assert.assertTrue(e.getMessage(), e.getMessage().contains("labelCol 'name' must be numeric but is string")
                && e.getMessage().contains("Column name must be of type numeric but was actually of type string."));
        e = assertThrows(IllegalArgumentException.class, () -> new DendriteRegressor().setWeightCol("name").fit(df));
        org.junit.Assert.assertTrue(e.getMessage(), e.getMessage().contains("weightCol 'name' must be numeric but is string")
                && e.getMessage().contains("Column name must be of type numeric but was actually of type string."));
    }

    @Test
    public void everyFitCheckpointsIntoItsOwnRunDirectoryAndAFitResumesFromOne() throws Exception {
        org.apache.spark.sql.Dataset<Row> df = digitsFrame(400);
        Path root = newTempDir().resolve("ckpt");
        DendriteClassifier c = new DendriteClassifier().setHiddenLayers(8).setMaxEpochs(2).setNumPartitions(2)
                .setSeed(5).setCheckpointDir(root.toString());
        c.fit(df);
        c.fit(df); // the same estimator again, as a notebook cell run twice
        List<Path> runs;
        try (java.util.stream.Stream<Path> list = java.nio.file.Files.list(root)) {
            runs = list.filter(java.nio.file.Files::isDirectory).sorted().toList();
        }
        assertEquals(runs.toString(), 2, runs.size());
        org.junit.Assert.assertTrue(runs.toString(), runs.stream().allMatch(r -> r.getFileName().toString()
                .startsWith(c.uid() + "-")));
        float[] straight = c.copy(ParamMap.empty()).setCheckpointDir("").setMaxEpochs(3).fit(df)
                .dendriteModel().parameters();
        DendriteClassificationModel resumed = c.copy(ParamMap.empty()).setMaxEpochs(3)
                .setResumeFrom(runs.get(0).toString()).fit(df);
        assertArrayEquals(straight, resumed.dendriteModel().parameters(), 0f);
    }

    @Test
    public void aSecondLongLivedFitInOneContextIsRefusedAtOnceAndJobModeFitsRunSideBySide() throws Exception {
        org.apache.spark.sql.Dataset<Row> df = digitsFrame(600).cache();
        df.count();
        java.util.concurrent.CountDownLatch stepping = new java.util.concurrent.CountDownLatch(1);
        org.apache.spark.scheduler.SparkListener watch = new org.apache.spark.scheduler.SparkListener() {
            @Override
            public void onStageSubmitted(org.apache.spark.scheduler.SparkListenerStageSubmitted s) {
                if (scala.collection.JavaConverters.seqAsJavaList(s.stageInfo().rddInfos()).stream()
                        .anyMatch(r -> r.name() != null && r.name().startsWith("dendrite-steps-"))) {
                    stepping.countDown();
                }
            }
        };
        spark().sparkContext().addSparkListener(watch);
        // Long enough (seconds) that it is still stepping when the second fit, refused before it reads a row
        // (milliseconds), comes.
        DendriteClassifier c = new DendriteClassifier().setHiddenLayers(16).setMaxEpochs(40).setNumPartitions(2)
                .setSeed(8);
        java.util.concurrent.CompletableFuture<DendriteClassificationModel> first =
                java.util.concurrent.CompletableFuture.supplyAsync(() -> c.fit(df));
        try {
            org.junit.Assert.assertTrue("the first fit reached its steps",
                    stepping.await(120, java.util.concurrent.TimeUnit.SECONDS));
            long started = System.nanoTime();
            for (String mode : new String[] {"barrier", "elastic"}) {
                IllegalStateException e = assertThrows(IllegalStateException.class,
                        () -> c.copy(ParamMap.empty()).setStepMode(mode).fit(df));
                org.junit.Assert.assertTrue(e.getMessage(), e.getMessage().startsWith("another Dendrite run (barrier-mode "
                        + "run dendrite-steps-") && e.getMessage().contains("this " + mode + "-mode run would wait")
                        && e.getMessage().contains("Run the fits one at a time"));
            }
            org.junit.Assert.assertTrue("refused at once", System.nanoTime() - started < 10_000_000_000L);
            org.junit.Assert.assertFalse("the first fit was still stepping when both were refused", first.isDone());
            // The first fit, undisturbed: the same weights as the same fit alone.
            float[] alone = first.get(300, java.util.concurrent.TimeUnit.SECONDS).dendriteModel().parameters();
            assertArrayEquals(alone, c.copy(ParamMap.empty()).fit(df).dendriteModel().parameters(), 0f);
        } finally {
            spark().sparkContext().removeSparkListener(watch);
            first.get(300, java.util.concurrent.TimeUnit.SECONDS);
        }
        // Job mode's short tasks share the slots: a cross-validation fitting two models at once gives what one at
        // a time gives.
        DendriteClassifier job = c.copy(ParamMap.empty()).setStepMode("job").setMaxEpochs(3);
        org.apache.spark.ml.param.ParamMap[] grid = new org.apache.spark.ml.tuning.ParamGridBuilder()
                .addGrid(job.learningRate(), new double[] {1e-3, 1e-2}).build();
        double[][] metrics = new double[2][];
        for (int parallelism : new int[] {1, 2}) {
            metrics[parallelism - 1] = new org.apache.spark.ml.tuning.CrossValidator().setEstimator(job)
                    .setEstimatorParamMaps(grid).setNumFolds(2).setSeed(5).setParallelism(parallelism)
                    .setEvaluator(new org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator()
                            .setMetricName("accuracy")).fit(df).avgMetrics();
        }
        assertArrayEquals(metrics[0], metrics[1], 0);
    }
}
