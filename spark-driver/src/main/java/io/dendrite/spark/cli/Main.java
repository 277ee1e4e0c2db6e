package io.dendrite.spark.cli;

import io.dendrite.core.model.Evaluation;
import io.dendrite.core.model.Model;
import io.dendrite.core.model.ModelFormatException;
import io.dendrite.datasets.ShardedDataset;
import io.dendrite.spark.HadoopModels;
import io.dendrite.spark.SparkEvaluator;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

/**
 * The one entry point for {@code spark-submit}: {@code train}, {@code evaluate}, {@code score},
 * {@code export} and {@code inspect}. The master and every Spark setting come from {@code spark-submit} and
 * {@code spark-defaults.conf}; nothing here sets one. Mistakes in the command line or job file end with
 * one line naming the key and what is allowed, and exit code 2.
 */
public final class Main {
    /** The job {@code train} and {@code evaluate} run when no {@code --job} is given. */
    public static final String DEFAULT_JOB = "/io/dendrite/spark/cli/digits.yaml";

    static final String USAGE = String.join("\n",
            "usage: dendrite <command> [options] [key.path=value ...]",
            "  train    [--job FILE] [--output DIR] [--resume CHECKPOINT]   train on Spark (default job: bundled digits)",
            "  evaluate --model DIR [--job FILE] [--output FILE]            metrics on the job's test data",
            "  score    --model DIR --input PATH --output PATH [--format csv|parquet|libsvm] [--header true|false]",
            "           [--delimiter ,] [--width N] [--id-columns a,b] [--feature-columns ...] [--drop-columns ...]",
            "           [--output-format parquet|csv] [--overwrite true]",
            "  export   --model DIR --output FILE [--format onnx]             the model as an ONNX graph (with its scaling)",
            "  inspect  PATH                                                 describe a model or checkpoint",
            "Job files are YAML (see conf/); key.path=value arguments override any key, e.g. training.epochs=5.",
            "Any command takes --verbose: a failure then prints its stack trace too.");
    private static final String VERBOSE = "verbose";

    private Main() {
    }

    /**
     * Runs a command under {@code spark-submit}, then stops Spark. A failure ends the JVM with its exit
     * code, except in cluster deploy mode: there the driver runs inside the cluster (YARN's
     * ApplicationMaster, a standalone worker), which reports a main that throws as a failed application
     * with the exception's message, while {@code System.exit} would hide it.
     */
    public static void main(String[] args) {
        int code;
        SparkSession spark = null;
        boolean clusterDeploy = false;
        LastLine out = new LastLine(System.out);
        try {
            if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
                System.out.println(USAGE);
                code = args.length == 0 ? 2 : 0;
            } else {
                spark = SparkSession.builder().appName("dendrite " + args[0]).getOrCreate();
                clusterDeploy = "cluster".equals(spark.sparkContext().getConf().get("spark.submit.deployMode", "client"));
                code = run(spark, args, out);
            }
        } finally {
            if (spark != null) {
                spark.stop();
            }
        }
        if (code != 0 && clusterDeploy) {
            throw new IllegalStateException(out.last() == null ? "dendrite: exit code " + code : out.last());
        }
        // A success returns from main, which ends the JVM: the run leaves no non-daemon thread behind, and
        // System.exit(0) in the driver would fail a YARN cluster-mode application ("Shutdown hook called
        // before final status was reported").
        if (code != 0) {
            System.exit(code);
        }
    }

    /** Standard output that remembers the last {@code dendrite: } line, the one-line error. */
    private static final class LastLine extends PrintStream {
        private String last;

        LastLine(PrintStream out) {
            super(out, true, StandardCharsets.UTF_8);
        }

        @Override
        public void println(String x) {
            super.println(x);
            if (x != null && x.startsWith("dendrite: ")) {
                last = x;
            }
        }

        String last() {
            return last;
        }
    }

    /** Runs one command on {@code spark}; returns the exit code (0, or 2 for a usage or input mistake). */
    public static int run(SparkSession spark, String[] args, PrintStream out) {
        try {
            Args a = Args.parse(args);
            switch (a.command) {
                case "train" -> {
                    a.allow(Set.of("job", "output", "resume"));
                    JobConfig job = job(spark, a);
                    TrainJob.run(spark, job, a.option("output", job.outputDir()), a.options.get("resume"), out);
                }
                case "evaluate" -> {
                    a.allow(Set.of("job", "model", "output"));
                    evaluate(spark, a, out);
                }
                case "score" -> {
                    a.allow(Set.of("model", "input", "output", "format", "header", "delimiter", "width", "id-columns",
                            "feature-columns", "drop-columns", "output-format", "overwrite"));
                    a.noOverrides();
                    score(spark, a, out);
                }
                case "export" -> {
                    a.allow(Set.of("model", "output", "format"));
                    a.noOverrides();
                    a.choice("format", "onnx", List.of("onnx"));
                    String modelDir = a.required("model");
                    String output = a.required("output");
                    org.apache.hadoop.conf.Configuration conf = spark.sparkContext().hadoopConfiguration();
                    HadoopModels.exportOnnx(conf, HadoopModels.load(conf, new org.apache.hadoop.fs.Path(modelDir)),
                            new org.apache.hadoop.fs.Path(output));
                    out.println("wrote " + output + " (ONNX opset " + io.dendrite.core.onnx.OnnxExport.OPSET
                            + ", input '" + io.dendrite.core.onnx.OnnxExport.INPUT + "') from " + modelDir);
                }
                case "inspect" -> {
                    a.allow(Set.of());
                    if (a.positional.size() != 1) {
                        throw new JobConfigException("inspect takes one path (a model directory or a checkpoint)");
                    }
                    out.println(RunOutputs.JSON.writeValueAsString(
                            InspectJob.run(spark.sparkContext().hadoopConfiguration(), a.positional.get(0))));
                }
                default -> throw new JobConfigException("unknown command '" + a.command
                        + "'; expected one of train, evaluate, score, export, inspect");
            }
            return 0;
        } catch (IllegalArgumentException | ModelFormatException e) { // JobConfigException included
            out.println("dendrite: " + e.getMessage());
            verbose(args, e, out);
            return 2;
        } catch (io.dendrite.core.run.TrainingDivergedException e) {
            out.println("dendrite: " + e.getMessage());
            return 3;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            // A bad input found on an executor (a bad row, a header mismatch, a null feature, a wrong width)
            // reaches the driver wrapped in Spark's job failure; it is a usage error like any other: one line
            // naming file, record, column, expected and found, and exit code 2.
            IllegalArgumentException input = inputError(e);
            if (input == null) {
                throw e instanceof RuntimeException r ? r : new IllegalStateException(e.getMessage(), e);
            }
            out.println("dendrite: " + input.getMessage());
            verbose(args, e, out);
            return 2;
        }
    }

    /** The first input error (an {@link IllegalArgumentException}) in {@code e}'s causes, or null. */
    static IllegalArgumentException inputError(Throwable e) {
        for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
            if (t instanceof IllegalArgumentException iae) {
                return iae;
            }
        }
        return null;
    }

    /** With {@code --verbose}, prints {@code e}'s stack trace after the one-line message. */
    private static void verbose(String[] args, Throwable e, PrintStream out) {
        if (java.util.Arrays.asList(args).contains("--" + VERBOSE)) {
            e.printStackTrace(out);
        }
    }

    private static JobConfig job(SparkSession spark, Args a) throws IOException {
        String file = a.options.get("job");
        if (file == null) {
            try (InputStream in = Main.class.getResourceAsStream(DEFAULT_JOB)) {
                return JobConfig.parse(in, "the embedded digits job", a.positional);
            }
        }
        Path p = new Path(file);
        FileSystem fs = p.getFileSystem(spark.sparkContext().hadoopConfiguration());
        if (!fs.exists(p)) {
            throw new JobConfigException("--job " + file + ": no such file");
        }
        try (InputStream in = fs.open(p)) {
            return JobConfig.parse(in, file, a.positional);
        }
    }

    private static void evaluate(SparkSession spark, Args a, PrintStream out) throws IOException {
        Model model = HadoopModels.load(spark.sparkContext().hadoopConfiguration(), new Path(a.required("model")));
        JobConfig job = job(spark, a);
        JobConfig.DataConf data = job.data();
        ShardedDataset test;
        String what;
        if (data.test() != null) {
            test = data.test().read(spark);
            what = data.test().describe();
        } else if (data.testSplit() > 0) {
            // The same split the train job made from the same seed and partitioning.
            test = TrainJob.splitTest(job, data.train().read(spark))[1];
            what = data.train().describe() + " (test split " + data.testSplit() + ")";
        } else {
            test = data.train().read(spark);
            what = data.train().describe();
        }
        Evaluation e = SparkEvaluator.evaluate(model, test);
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("data", what);
        report.putAll(RunOutputs.evaluation(e, model.labels()));
        String json = RunOutputs.JSON.writeValueAsString(report);
        out.println(json);
        String target = a.options.get("output");
        if (target != null) {
            Path p = new Path(target);
            try (OutputStream o = p.getFileSystem(spark.sparkContext().hadoopConfiguration()).create(p, true)) {
                o.write(json.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
        }
    }

    private static void score(SparkSession spark, Args a, PrintStream out) throws IOException {
        Model model = HadoopModels.load(spark.sparkContext().hadoopConfiguration(), new Path(a.required("model")));
        String input = a.required("input");
        String format = a.choice("format", input.endsWith(".parquet") ? "parquet" : input.contains("libsvm")
                || input.endsWith(".svm") ? "libsvm" : "csv", List.of("csv", "parquet", "libsvm"));
        ScoreJob.Options o = new ScoreJob.Options(a.required("model"), input, format,
                Boolean.parseBoolean(a.choice("header", "true", List.of("true", "false"))), a.option("delimiter", ","),
                Integer.parseInt(a.option("width", "0")), a.list("id-columns"), a.list("feature-columns"),
                a.list("drop-columns"), a.required("output"), a.choice("output-format", "parquet",
                List.of("parquet", "csv")), Boolean.parseBoolean(a.choice("overwrite", "false", List.of("true", "false"))));
        long rows = ScoreJob.run(spark, model, o);
        out.println("scored " + rows + " rows of " + input + " with " + model.spec().describe() + " into " + o.output()
                + " (" + o.outputFormat() + ")");
    }

    /** {@code command --key value ... positional ...}. */
    static final class Args {
        final String command;
        final Map<String, String> options = new LinkedHashMap<>();
        final List<String> positional = new ArrayList<>();

        private Args(String command) {
            this.command = command;
        }

        static Args parse(String[] args) {
            if (args.length == 0) {
                throw new JobConfigException("no command given\n" + USAGE);
            }
            Args a = new Args(args[0]);
            for (int i = 1; i < args.length; i++) {
                String s = args[i];
                if (s.startsWith("--")) {
                    String key = s.substring(2);
                    String value;
                    int eq = key.indexOf('=');
                    if (eq >= 0) {
                        value = key.substring(eq + 1);
                        key = key.substring(0, eq);
                    } else if (key.equals(VERBOSE)) {
                        value = "true";
                    } else if (i + 1 < args.length) {
                        value = args[++i];
                    } else {
                        throw new JobConfigException("option --" + key + " needs a value");
                    }
                    a.options.put(key, value);
                } else {
                    a.positional.add(s);
                }
            }
            return a;
        }

        void allow(Set<String> allowed) {
            for (String k : options.keySet()) {
                if (!allowed.contains(k) && !k.equals(VERBOSE)) {
                    throw new JobConfigException("unknown option --" + k + " for " + command + "; it takes "
                            + allowed.stream().sorted().map(x -> "--" + x).toList());
                }
            }
        }

        void noOverrides() {
            if (!positional.isEmpty()) {
                throw new JobConfigException(command + " takes no positional arguments but got " + positional);
            }
        }

        String required(String key) {
            String v = options.get(key);
            if (v == null || v.isBlank()) {
                throw new JobConfigException(command + " needs --" + key);
            }
            return v;
        }

        String option(String key, String fallback) {
            return options.getOrDefault(key, fallback);
        }

        String choice(String key, String fallback, List<String> allowed) {
            String v = option(key, fallback).toLowerCase(Locale.ROOT);
            if (!allowed.contains(v)) {
                throw new JobConfigException("--" + key + " must be one of " + allowed + " but was '" + v + "'");
            }
            return v;
        }

        List<String> list(String key) {
            List<String> out = new ArrayList<>();
            String v = options.get(key);
            if (v != null) {
                for (String s : v.split(",")) {
                    if (!s.isBlank()) {
                        out.add(s.trim());
                    }
                }
            }
            return out;
        }
    }
}
