package io.dendrite.spark.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dendrite.core.data.Dataset;
import io.dendrite.core.model.Model;
import io.dendrite.datasets.BundledDatasets;
import io.dendrite.spark.HadoopModels;
import io.dendrite.spark.SparkDriverSuite;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;
import org.apache.spark.sql.Row;
import org.junit.Test;
import org.junit.jupiter.api.Assertions;

/** The spark-submit entry point end to end on real files: train, score, evaluate, inspect and bad input. */
public class CliTest extends SparkDriverSuite {
    private static final ObjectMapper JSON = new ObjectMapper();

    private String run(int expectedCode, String... args) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int code = Main.run(spark(), args, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(expectedCode, code, out);
        return out;
    }

    @Test
    public void trainLeavesModelMetricsSummaryAndPictureThenScoreEvaluateAndInspectUseThem() throws Exception {
        Path dir = newTempDir();
        String out = run(0, "train", "--output", dir.toString(), "training.epochs=4",
                "training.checkpoint.dir=" + dir.resolve("ckpt"), "training.checkpoint.every_epochs=2");
        Assertions.assertTrue(out.contains("Epoch 4/4") && out.contains("step ") && out.contains("test: examples:"), out);
        List<String> lines = Files.readAllLines(dir.resolve("metrics.jsonl"));
        assertEquals(4, lines.size());
        JsonNode last = JSON.readTree(lines.get(3));
        for (String k : List.of("epoch", "loss", "accuracy", "val_loss", "val_accuracy", "lr", "examples_per_second",
                "step_ms", "compute_ms", "fixed_ms", "publish_ms", "reduce_ms", "update_ms", "transport_ms")) {
            Assertions.assertTrue(last.has(k), k + " missing in " + last);
        }
        JsonNode summary = JSON.readTree(dir.resolve("summary.json").toFile());
        for (String k : List.of("train", "validation", "test", "examples_per_second", "mean_step_ms", "master",
                "partitions", "kernel")) {
            Assertions.assertTrue(summary.has(k), k + " missing in " + summary);
        }
        assertEquals("local[2]", summary.get("master").asText());
        assertEquals("barrier", summary.get("step_mode").asText());
        Assertions.assertTrue(summary.get("test").get("accuracy").asDouble() > 0.8, summary.toString());
        BufferedImage png = ImageIO.read(dir.resolve("learning-curve.png").toFile());
        assertEquals(1280, png.getWidth());

        // score: CSV with an id column and the label left out, against Model.predict row by row.
        Model model = HadoopModels.load(jsc().hadoopConfiguration(),
                new org.apache.hadoop.fs.Path(dir.resolve("model").toUri()));
        Dataset digits = BundledDatasets.load("digits").data();
        int rows = 300;
        StringBuilder csv = new StringBuilder("id");
        for (int c = 0; c < 64; c++) {
            csv.append(",px").append(c);
        }
        csv.append(",label\n");
        for (int r = 0; r < rows; r++) {
            csv.append("row-").append(r);
            for (int c = 0; c < 64; c++) {
                csv.append(',').append((int) digits.features()[r * 64 + c]);
            }
            csv.append(',').append((int) digits.targets()[r]).append('\n');
        }
        Path input = dir.resolve("to-score.csv");
        Files.writeString(input, csv);
        String scored = dir.resolve("scored").toString();
        out = run(0, "score", "--model", dir.resolve("model").toString(), "--input", input.toString(),
                "--id-columns", "id", "--drop-columns", "label", "--output", scored, "--output-format", "csv");
        Assertions.assertTrue(out.contains("scored " + rows + " rows"), out);
        float[] raw = java.util.Arrays.copyOf(digits.features(), rows * 64);
        float[] predicted = model.predict(raw, rows);
        float[] proba = model.predictProba(raw, rows);
        List<Row> result = spark().read().option("header", "true").option("inferSchema", "true").csv(scored)
                .collectAsList();
        assertEquals(rows, result.size());
        assertEquals("probability_0", result.get(0).schema().fieldNames()[2]);
        for (Row r : result) {
            int i = Integer.parseInt(r.getString(0).substring(4));
            assertEquals(predicted[i], r.getDouble(1), 0.0, "prediction of " + r.getString(0));
            for (int k = 0; k < 10; k++) {
                assertEquals(proba[i * 10 + k], (float) r.getDouble(2 + k), 0f, "probability " + k + " of row " + i);
            }
        }

        out = run(0, "evaluate", "--model", dir.resolve("model").toString(), "--output",
                dir.resolve("eval.json").toString());
        JsonNode eval = JSON.readTree(dir.resolve("eval.json").toFile());
        assertEquals(summary.get("test").get("accuracy").asDouble(), eval.get("accuracy").asDouble(), 0.0, out);
        assertEquals(10, eval.get("confusion_matrix").size());

        out = run(0, "inspect", dir.resolve("model").toString());
        Assertions.assertTrue(out.contains("\"kind\" : \"model\"") && out.contains("dense(256, relu)"), out);
        out = run(0, "inspect", dir.resolve("ckpt").toString());
        Assertions.assertTrue(out.contains("\"kind\" : \"checkpoint\"") && out.contains("step-000000"), out);

        // export: the ONNX graph in ONNX Runtime gives the scored probabilities.
        Path onnx = dir.resolve("digits.onnx");
        out = run(0, "export", "--model", dir.resolve("model").toString(), "--output", onnx.toString());
        Assertions.assertTrue(out.contains("wrote " + onnx), out);
        ai.onnxruntime.OrtEnvironment env = ai.onnxruntime.OrtEnvironment.getEnvironment();
        try (ai.onnxruntime.OrtSession session = env.createSession(onnx.toString(), new ai.onnxruntime.OrtSession.SessionOptions());
             ai.onnxruntime.OnnxTensor in = ai.onnxruntime.OnnxTensor.createTensor(env, java.nio.FloatBuffer.wrap(raw),
                     new long[] {rows, 64});
             ai.onnxruntime.OrtSession.Result r = session.run(java.util.Map.of("features", in))) {
            float[][] got = (float[][]) r.get(0).getValue();
            for (int i = 0; i < rows; i++) {
                for (int k = 0; k < 10; k++) {
                    assertEquals(proba[i * 10 + k], got[i][k], 1e-5f, "ONNX probability " + k + " of row " + i);
                }
            }
        }
        out = run(2, "export", "--model", dir.resolve("model").toString(), "--output", onnx.toString(), "--format", "pmml");
        Assertions.assertTrue(out.contains("--format must be one of [onnx] but was 'pmml'"), out);
    }

    @Test
    public void scoringRefusesDataOfTheWrongWidthOrType() throws Exception {
        Path dir = newTempDir();
        run(0, "train", "--output", dir.toString(), "training.epochs=1", "output.chart=false");
        Path input = dir.resolve("narrow.csv");
        Files.writeString(input, "id,a,b\nx,1,2\n");
        String out = run(2, "score", "--model", dir.resolve("model").toString(), "--input", input.toString(),
                "--id-columns", "id", "--output", dir.resolve("o").toString());
        Assertions.assertTrue(out.contains("has 2 feature columns [a, b] but the model expects 64 inputs"), out);
        out = run(2, "score", "--model", dir.resolve("model").toString(), "--input", input.toString(),
                "--output", dir.resolve("o").toString());
        Assertions.assertTrue(out.contains("feature column 'id'") && out.contains("not a number"), out);
    }

    @Test
    public void aBadRowFoundOnAnExecutorIsOneLineAndExitCodeTwo() throws Exception {
        Path dir = newTempDir();
        Path train = dir.resolve("train.csv");
        StringBuilder csv = new StringBuilder("label,a,b\n");
        for (int r = 0; r < 40; r++) {
            csv.append(r % 2).append(',').append(r == 17 ? "x" : "0.5").append(",0.25\n");
        }
        Files.writeString(train, csv);
        Path job = dir.resolve("job.yaml");
        Files.writeString(job, String.join("\n", "model:", "  layers:", "    - dense: 2", "      activation: softmax",
                "  loss: categorical_crossentropy", "data:", "  train:", "    format: csv", "    path: " + train.toUri(),
                "    classes: 2", "training:", "  epochs: 1", "output:", "  chart: false", ""));
        String[] args = {"train", "--job", job.toString(), "--output", dir.resolve("run").toString()};
        String out = run(2, args);
        Assertions.assertEquals(1, out.lines().filter(l -> l.startsWith("dendrite: ")).count(), out);
        Assertions.assertFalse(out.contains("\tat "), "no stack trace without --verbose: " + out);
        String line = out.lines().filter(l -> l.startsWith("dendrite: ")).findFirst().orElseThrow();
        Assertions.assertTrue(line.contains("train.csv") && line.contains("line 19") && line.contains("column 2")
                && line.contains("expected a number") && line.contains("'x'"), line);
        String[] verbose = java.util.Arrays.copyOf(args, args.length + 1);
        verbose[args.length] = "--verbose";
        Assertions.assertTrue(run(2, verbose).contains("\tat "), "--verbose prints the stack trace");
    }

    @Test
    public void aTestSetThatFailsLeavesTheTrainedModel() throws Exception {
        Path dir = newTempDir();
        Path test = dir.resolve("test.csv");
        Files.writeString(test, "label,a,b\n1,0.5,0.25\n");
        String out = run(2, "train", "--output", dir.resolve("run").toString(), "training.epochs=1",
                "output.chart=false", "data.test_split=0", "data.test.format=csv", "data.test.path=" + test.toUri(),
                "data.test.classes=10");
        Assertions.assertTrue(out.contains("has 2 features but the model expects 64"), out);
        Assertions.assertTrue(out.contains("the trained model is saved in"), out);
        String inspected = run(0, "inspect", dir.resolve("run").resolve("model").toString());
        Assertions.assertTrue(inspected.contains("\"kind\" : \"model\""), inspected);
    }

    @Test
    public void aResumedRunKeepsTheEpochsBeforeItInMetricsJsonl() throws Exception {
        Path dir = newTempDir();
        String ckpt = dir.resolve("ckpt").toString();
        run(0, "train", "--output", dir.toString(), "training.epochs=2", "output.chart=false",
                "training.early_stopping.patience=100", "training.checkpoint.dir=" + ckpt,
                "training.checkpoint.every_epochs=1");
        List<String> before = Files.readAllLines(dir.resolve("metrics.jsonl"));
        assertEquals(2, before.size());
        // Resumed from the end of epoch 1 into the same directory, and into a new one.
        String first;
        try (java.util.stream.Stream<Path> list = Files.list(Path.of(ckpt))) {
            first = list.filter(p -> p.getFileName().toString().startsWith("step-")).findFirst().orElseThrow().toString();
        }
        run(0, "train", "--output", dir.toString(), "--resume", first, "training.epochs=3", "output.chart=false",
                "training.early_stopping.patience=100");
        List<String> same = Files.readAllLines(dir.resolve("metrics.jsonl"));
        assertEquals(3, same.size(), same.toString());
        assertEquals(before.get(0), same.get(0), "epoch 1's record, with its timings, is kept");
        Path other = dir.resolve("other");
        run(0, "train", "--output", other.toString(), "--resume", first, "training.epochs=3", "output.chart=false",
                "training.early_stopping.patience=100");
        List<String> fresh = Files.readAllLines(other.resolve("metrics.jsonl"));
        assertEquals(List.of(1, 2, 3), fresh.stream().map(l -> {
            try {
                return JSON.readTree(l).get("epoch").asInt();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }).toList());
        assertEquals(JSON.readTree(before.get(0)).get("loss"), JSON.readTree(fresh.get(0)).get("loss"),
                "epoch 1 from the checkpoint's history");
    }

    @Test
    public void scoringRefusesAnOutputThatOverlapsItsInput() throws Exception {
        Path dir = newTempDir();
        run(0, "train", "--output", dir.toString(), "training.epochs=1", "output.chart=false");
        Path rows = dir.resolve("rows");
        Files.createDirectories(rows);
        Path input = rows.resolve("part-0.csv");
        Files.writeString(input, "a,b\n1,2\n");
        String model = dir.resolve("model").toString();
        String out = run(2, "score", "--model", model, "--input", rows.toString(), "--output", rows.toString(),
                "--overwrite", "true");
        Assertions.assertTrue(out.contains("is --input"), out);
        out = run(2, "score", "--model", model, "--input", rows.toString(), "--output", rows.resolve("scored").toString());
        Assertions.assertTrue(out.contains("is inside --input"), out);
        out = run(2, "score", "--model", model, "--input", input.toString(), "--output", rows.toString(),
                "--overwrite", "true");
        Assertions.assertTrue(out.contains("contains --input"), out);
        Assertions.assertEquals("a,b\n1,2\n", Files.readString(input), "the input is untouched");

        // Every path of a comma-separated input, as the readers split it, and every file a glob matches.
        Path other = dir.resolve("other.csv");
        Files.writeString(other, "a,b\n3,4\n");
        out = run(2, "score", "--model", model, "--input", other + "," + input, "--output", rows.toString(),
                "--overwrite", "true");
        Assertions.assertTrue(out.contains("--output " + rows + " contains --input " + input), out);
        out = run(2, "score", "--model", model, "--input", dir.resolve("r*").resolve("*.csv").toString(),
                "--output", rows.toString(), "--overwrite", "true");
        Assertions.assertTrue(out.contains("which matches"), out);
        Assertions.assertEquals("a,b\n1,2\n", Files.readString(input), "the input is untouched");
        // The model (and the run's metrics and checkpoints beside it) is no output either.
        Path elsewhere = newTempDir().resolve("rows.csv");
        Files.writeString(elsewhere, "a,b\n5,6\n");
        out = run(2, "score", "--model", model, "--input", elsewhere.toString(), "--output", dir.toString(),
                "--overwrite", "true");
        Assertions.assertTrue(out.contains("--output " + dir + " contains --model " + model), out);
        Assertions.assertTrue(Files.exists(dir.resolve("model").resolve("model.json")), "the model is untouched");
    }

    @Test
    public void aNetworkTheDriverCannotHoldIsRefusedBeforeAnyRowIsRead() throws Exception {
        // Two hidden layers of h units: about h² weights, 4 bytes each in at least 7 arrays (Adam) on the driver.
        int h = (int) (1.5 * Math.sqrt(Runtime.getRuntime().maxMemory() / 28.0));
        Path job = newTempDir().resolve("wide.yaml");
        Files.writeString(job, String.join("\n", "model:", "  layers:", "    - dense: " + h, "      activation: relu",
                "    - dense: " + h, "      activation: relu", "    - dense: 10", "      activation: softmax",
                "  loss: categorical_crossentropy", "data:", "  train: {format: bundled, name: digits}", ""));
        String out = run(2, "train", "--job", job.toString(), "output.chart=false", "--output",
                job.getParent().resolve("run").toString());
        Assertions.assertTrue(out.contains("the driver holds at least 7 arrays of them (the weights, 2 state arrays of "
                + "adam, the summed gradient and the step's buffers)") && out.contains("but its heap is at most "
                + (Runtime.getRuntime().maxMemory() >> 20) + " MiB"), out);
        Assertions.assertFalse(out.contains("train: "), "refused before the data was read: " + out);
    }

    @Test
    public void aScoringJobThatFailsLeavesTheOldOutputAsItWas() throws Exception {
        Path dir = newTempDir();
        run(0, "train", "--output", dir.toString(), "training.epochs=1", "output.chart=false");
        String model = dir.resolve("model").toString();
        StringBuilder good = new StringBuilder();
        StringBuilder bad = new StringBuilder();
        for (int r = 0; r < 50; r++) {
            StringBuilder row = new StringBuilder().append(r);
            for (int c = 0; c < 64; c++) {
                row.append(',').append((r + c) % 16);
            }
            good.append(row).append('\n');
            bad.append(r == 31 ? row.toString().replaceFirst(",3,", ",x,") : row).append('\n');
        }
        Files.writeString(dir.resolve("good.csv"), good);
        Files.writeString(dir.resolve("bad.csv"), bad);
        Path scored = dir.resolve("scored");
        String[] common = {"score", "--model", model, "--header", "false", "--id-columns", "_c0", "--output",
                scored.toString(), "--output-format", "csv"};
        run(0, concat(common, "--input", dir.resolve("good.csv").toString()));
        Map<String, String> before = files(scored);
        String out = run(2, concat(common, "--input", dir.resolve("good.csv").toString()));
        Assertions.assertTrue(out.contains("--output " + scored + " already exists; pass --overwrite true"), out);
        out = run(2, concat(common, "--input", dir.resolve("bad.csv").toString(), "--overwrite", "true"));
        Assertions.assertTrue(out.contains("expected a number") && out.contains("'x'"), out);
        Assertions.assertEquals(before, files(scored), "the old output, as it was");
        try (java.util.stream.Stream<Path> left = Files.list(dir)) {
            Assertions.assertEquals(List.of(), left.filter(p -> p.getFileName().toString().startsWith(".scored"))
                    .toList(), "nothing staged is left behind");
        }
        run(0, concat(common, "--input", dir.resolve("good.csv").toString(), "--overwrite", "true"));
        Assertions.assertEquals(before.keySet().size(), files(scored).size());
    }

    private static String[] concat(String[] a, String... b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    /** The files under {@code dir} with their contents, CRC files left out. */
    private static Map<String, String> files(Path dir) throws java.io.IOException {
        Map<String, String> out = new java.util.TreeMap<>();
        try (java.util.stream.Stream<Path> all = Files.walk(dir)) {
            for (Path f : all.filter(Files::isRegularFile).filter(f -> !f.getFileName().toString().endsWith(".crc"))
                    .toList()) {
                out.put(dir.relativize(f).toString(), Files.readString(f));
            }
        }
        return out;
    }

    @Test
    public void trainingRefusesAnotherRunsCheckpointsAndCheckpointsInsideTheModel() throws Exception {
        Path dir = newTempDir();
        String ckpt = dir.resolve("ckpt").toString();
        run(0, "train", "--output", dir.toString(), "training.epochs=2", "output.chart=false",
                "training.checkpoint.dir=" + ckpt, "training.checkpoint.every_epochs=1");
        List<String> before;
        try (java.util.stream.Stream<Path> list = Files.list(Path.of(ckpt))) {
            before = list.map(p -> p.getFileName().toString()).sorted().toList();
        }
        String out = run(2, "train", "--output", dir.resolve("again").toString(), "training.epochs=2",
                "output.chart=false", "training.checkpoint.dir=" + ckpt, "training.checkpoint.every_epochs=1");
        Assertions.assertTrue(out.contains("checkpoint directory " + ckpt) && out.contains("already holds checkpoints "
                + "of run ") && out.contains("to continue that run, resume from " + ckpt), out);
        Assertions.assertEquals(1, out.lines().filter(l -> l.startsWith("dendrite: ")).count(), out);
        try (java.util.stream.Stream<Path> list = Files.list(Path.of(ckpt))) {
            assertEquals(before, list.map(p -> p.getFileName().toString()).sorted().toList(), "nothing pruned");
        }
        out = run(2, "train", "--output", dir.resolve("third").toString(), "training.epochs=2", "output.chart=false",
                "training.checkpoint.dir=" + dir.resolve("third").resolve("model").resolve("ckpt"),
                "training.checkpoint.every_epochs=1");
        Assertions.assertTrue(out.contains("training.checkpoint.dir " + dir.resolve("third").resolve("model")
                .resolve("ckpt") + " is inside the model directory"), out);
    }

    @Test
    public void badJobFilesAndCommandLinesNameTheKeyAndWhatIsAllowed() throws Exception {
        String out = run(2, "train", "training.epochz=3");
        Assertions.assertTrue(out.contains("unknown key 'training.epochz'") && out.contains("epochs"), out);
        out = run(2, "train", "optimizer.name=adamax");
        Assertions.assertTrue(out.contains("'optimizer.name' must be one of [sgd, momentum, nesterov, adagrad, "
                + "adadelta, rmsprop, adam, adamw, nadam] but was 'adamax'"), out);
        out = run(2, "train", "training.batch_size=0");
        Assertions.assertTrue(out.contains("'training.batch_size' must be an integer in [1, "), out);
        out = run(2, "train", "model.layers.0.activation=swish");
        Assertions.assertTrue(out.contains("'model.layers.0.activation' must be one of"), out);
        out = run(2, "train", "data.train.name=mnist");
        Assertions.assertTrue(out.contains("'data.train.name' must be one of [digits, iris, breast_cancer, diabetes]"), out);
        out = run(2, "train", "--epochs", "3");
        Assertions.assertTrue(out.contains("unknown option --epochs for train"), out);
        out = run(2, "fit");
        Assertions.assertTrue(out.contains("unknown command 'fit'"), out);
        Path job = newTempDir().resolve("job.yaml");
        Files.writeString(job, "model:\n  layers:\n    - dense: 10\n      activation: softmax\n  loss: categorical_crossentropy\n"
                + "data:\n  train: {format: csv, path: /nonexistent/x.csv, classes: 10}\n  scaling: zscore\n");
        out = run(2, "train", "--job", job.toString());
        Assertions.assertTrue(out.contains("'data.scaling' must be one of [none, standard, min_max, constant] but was "
                + "'zscore'"), out);
        out = run(2, "train", "training.mode=fast");
        Assertions.assertTrue(out.contains("'training.mode' must be one of [barrier, elastic, job] but was 'fast'"), out);
        out = run(2, "train", "training.parameter_server.prot=7077");
        Assertions.assertTrue(out.contains("unknown key 'training.parameter_server.prot'") && out.contains("port"), out);
        out = run(2, "train", "data.stream=true", "training.mode=job");
        Assertions.assertTrue(out.contains("streamed training data (data.stream: true) needs training.mode: barrier"), out);
        out = run(2, "train", "data.shuffle_window=100");
        Assertions.assertTrue(out.contains("'data.shuffle_window' applies to streamed training data only"), out);
        out = run(2, "inspect", newTempDir().toString());
        Assertions.assertTrue(out.toLowerCase(Locale.ROOT).contains("holds neither manifest.json nor any complete step-* checkpoint directory"), out);
    }

    @Test
    public void everyExampleJobParsesAndTheSyntheticAndRegressionOnesRun() throws Exception {
        Path conf = Path.of(System.getProperty("user.dir")).getParent().resolve("conf");
        List<Path> jobs;
        try (var s = Files.list(conf)) {
            jobs = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        Assertions.assertTrue(jobs.size() >= 5, jobs.toString());
        for (Path job : jobs) {
            try (var in = Files.newInputStream(job)) {
                JobConfig.parse(in, job.toString(), List.of());
            }
        }
        Path dir = newTempDir();
        String out = run(0, "train", "--job", conf.resolve("synthetic-scale.yaml").toString(), "--output",
                dir.resolve("synthetic").toString(), "data.train.rows=6000", "data.train.partitions=3",
                "training.epochs=1", "training.batch_size=500", "training.checkpoint.dir=" + dir.resolve("ck"),
                "training.checkpoint.every_steps=4", "output.chart=false");
        Assertions.assertTrue(out.contains("Epoch 1/1") && out.contains("test: examples:"), out);
        Assertions.assertTrue(Files.exists(dir.resolve("ck")), out);
        Path streamed = dir.resolve("streamed");
        out = run(0, "train", "--job", conf.resolve("synthetic-billion.yaml").toString(), "--output",
                streamed.toString(), "data.train.rows=20000", "data.train.partitions=3", "data.shuffle_window=1000",
                "training.batch_size=1000");
        Assertions.assertTrue(out.contains("streamed, not cached (shuffled within windows of 1000 rows)")
                && out.contains("Epoch 1/1"), out);
        Map<?, ?> summary = new ObjectMapper().readValue(
                streamed.resolve("summary.json").toFile(), Map.class);
        Assertions.assertEquals(Map.of("shuffle_window", 1000), summary.get("streamed"), summary.toString());
        Assertions.assertTrue(((Number) summary.get("driver_heap_peak_bytes")).longValue() > 0, summary.toString());
        out = run(0, "train", "--job", conf.resolve("diabetes.yaml").toString(), "--output",
                dir.resolve("diabetes").toString(), "training.epochs=3");
        Assertions.assertTrue(out.contains("r2:"), out);
        out = run(0, "inspect", dir.resolve("diabetes").resolve("model").toString());
        Assertions.assertTrue(out.contains("\"loss\" : \"mse\""), out);
    }
}
