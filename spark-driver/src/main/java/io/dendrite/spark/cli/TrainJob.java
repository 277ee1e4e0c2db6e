package io.dendrite.spark.cli;

import io.dendrite.core.model.Evaluation;
import io.dendrite.core.model.Model;
import io.dendrite.core.run.Checkpoints;
import io.dendrite.core.run.EpochReport;
import io.dendrite.core.run.Streams;
import io.dendrite.core.run.TrainingConfig;
import io.dendrite.datasets.LoadStats;
import io.dendrite.datasets.ShardedDataset;
import io.dendrite.spark.HadoopModels;
import io.dendrite.spark.HadoopStateStore;
import io.dendrite.spark.SparkEvaluator;
import io.dendrite.spark.SparkTrainer;
import io.dendrite.spark.TrainingResult;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

/**
 * The {@code train} job: reads the data the job file names, trains on Spark, evaluates on the test data,
 * and leaves in the output directory the model, {@code metrics.jsonl}, {@code summary.json} and
 * {@code learning-curve.png}.
 */
final class TrainJob {

    private TrainJob() {
    }

    static Map<String, Object> run(SparkSession spark, JobConfig job, String outputDir, String resume, PrintStream out)
            throws IOException {
        if (job.checkpoints().root() != null) {
            // Saving the model replaces output/model whole; checkpoints there would go with it.
            HadoopPaths.requireApart(spark.sparkContext().hadoopConfiguration(), "training.checkpoint.dir",
                    job.checkpoints().root(), "the model directory", new Path(outputDir, "model").toString(),
                    "keep checkpoints apart from the model the run saves");
        }
        SparkTrainer.refuseIfSlotsHeld(spark.sparkContext(), job.transport());
        JobConfig.DataConf data = job.data();
        ShardedDataset train = data.train().read(spark);
        ShardedDataset test = data.test() == null ? null : data.test().read(spark);
        ShardedDataset validation = data.validation() == null ? null : data.validation().read(spark);
        if (test == null && data.testSplit() > 0) {
            ShardedDataset[] parts = splitTest(job, train);
            train = parts[0];
            test = parts[1];
        }
        TrainingConfig config = job.trainingConfig(train.featureWidth(), data.train().classNames());
        SparkTrainer.requireDriverFits(config); // before a row is read
        if (data.streamed()) {
            out.println("train: " + data.train().describe() + " - streamed, not cached (shuffled within windows of "
                    + data.streamWindow() + " rows)");
        } else {
            LoadStats loaded = train.cache();
            out.println("train: " + data.train().describe() + " - " + loaded);
        }
        out.println("model: " + config.spec().describe() + " - " + config.spec().parameterCount() + " parameters - loss "
                + config.loss().id() + " - " + config.optimizer().id() + " " + config.optimizer().config()
                + " - batch " + config.batchSize() + " - " + config.epochs() + " epochs");

        RunOutputs outputs = new RunOutputs(spark.sparkContext().hadoopConfiguration(), new Path(outputDir));
        if (resume != null) {
            outputs.resumeAfter(Checkpoints.latest(HadoopStateStore.at(spark.sparkContext().hadoopConfiguration(), new Path(resume)))
                    .checkpoint().run().history());
        }
        EpochReport.Listener listener = report -> {
            out.println(report.line());
            Map<String, Object> record = new LinkedHashMap<>();
            record.put("epoch", report.epoch());
            record.putAll(report.logs());
            record.put("seconds", report.seconds());
            record.put("examples_per_second", report.examplesPerSecond());
            record.putAll(report.steps().meanMillis());
            report.steps().meanBytes().forEach((k, v) -> record.put(k + "_bytes", v));
            try {
                outputs.epoch(record);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write metrics.jsonl under " + outputDir, e);
            }
        };
        SparkTrainer trainer = new SparkTrainer(config, job.transport(), job.checkpoints(), listener)
                .withDivergence(job.divergence());
        if (data.streamed()) {
            trainer = trainer.streaming(data.streamWindow());
        }
        TrainingResult result = resume == null ? trainer.fit(train, validation) : trainer.resume(train, validation, resume);
        Model model = result.model();

        // summary.json: the run's own record (Run.summary, also in the model file) without the per-epoch
        // history (metrics.jsonl has it), then what this job adds.
        Map<String, Object> summary = new LinkedHashMap<>(model.summary());
        summary.remove("history");
        summary.put("model", config.spec().describe());
        summary.put("parameters", config.spec().parameterCount());
        summary.put("train_data", data.train().describe());
        summary.put("train", lastMetrics(result, ""));
        summary.put("validation", lastMetrics(result, "val_"));
        // The model is saved before the test set is read, so a test set that fails leaves it behind.
        Path modelDir = new Path(outputs.dir(), "model");
        HadoopModels.save(spark.sparkContext().hadoopConfiguration(), model, modelDir);
        if (test != null) {
            Evaluation e;
            try {
                e = SparkEvaluator.evaluate(model, test);
            } catch (RuntimeException failed) {
                out.println("test evaluation failed; the trained model is saved in " + modelDir);
                throw failed;
            }
            out.println("test: " + e);
            summary.put("test", RunOutputs.evaluation(e, config.labels()));
        }
        summary.put("examples_per_second", result.examplesPerSecond());
        summary.put("training_seconds", result.seconds());
        summary.put("mean_step_ms", result.meanStepMillis());
        summary.put("driver_heap_peak_bytes", heapPeak());
        if (!result.meanStepBytes().isEmpty()) {
            summary.put("mean_step_bytes", result.meanStepBytes());
        }
        if (resume != null) {
            summary.put("resumed_from", resume);
        }
        if (summary.containsKey("test")) {
            Map<String, Object> modelSummary = new LinkedHashMap<>(model.summary());
            modelSummary.put("test", summary.get("test"));
            HadoopModels.save(spark.sparkContext().hadoopConfiguration(), model.withSummary(modelSummary), modelDir);
        }
        summary.put("model_path", modelDir.toString());
        outputs.summary(summary);
        if (job.chart() && result.history().epochs() > 0) {
            outputs.learningCurve(result.history(), data.train().describe());
        }
        out.println("wrote " + modelDir + ", metrics.jsonl, summary.json" + (job.chart() ? ", learning-curve.png" : "")
                + " under " + outputs.dir());
        return summary;
    }

    /**
     * The sum of the heap pools' peak use in this (the driver's) JVM so far: an upper bound on the peak
     * heap, since the pools need not peak at once; garbage not yet collected counts.
     */
    static long heapPeak() {
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.getPeakUsage() != null) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        return peak;
    }

    /** The job's held-out test split of {@code train}: the same rows for the same seed and partitioning. */
    static ShardedDataset[] splitTest(JobConfig job, ShardedDataset train) {
        double t = job.data().testSplit();
        return train.split(new double[] {1 - t, t}, Streams.testSplit(job.seed()));
    }

    private static Map<String, Object> lastMetrics(TrainingResult r, String prefix) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (r.history().epochs() == 0) {
            return m;
        }
        r.history().epoch(r.history().epochs() - 1).forEach((k, v) -> {
            boolean validation = k.startsWith("val_");
            if (!k.equals("lr") && validation == !prefix.isEmpty()) {
                m.put(validation ? k.substring(4) : k, v);
            }
        });
        return m;
    }
}
