package io.dendrite.spark.cli;

import io.dendrite.datasets.BadRowPolicy;
import io.dendrite.datasets.BundledDataset;
import io.dendrite.datasets.BundledDatasets;
import io.dendrite.datasets.FrameReader;
import io.dendrite.datasets.IdxReader;
import io.dendrite.datasets.ReadOptions;
import io.dendrite.datasets.ShardedDataset;
import io.dendrite.datasets.Storage;
import io.dendrite.datasets.Synthetic;
import io.dendrite.datasets.TextReaders;
import java.util.List;
import java.util.Locale;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

/**
 * One data source of a job file: a bundled dataset by name, or files in CSV, LibSVM, IDX or Parquet
 * on any Hadoop path, with the task (classification with its class count, or regression), the feature
 * storage, the bad-row policy and the minimum partition count.
 */
public record DataSource(String format, String path, String labels, String labelColumn, List<String> featureColumns,
                         boolean header, char delimiter, int width, boolean classification, int classes,
                         Storage storage, BadRowPolicy badRows, int partitions, Synthetic.Spec synthetic) {

    static final List<String> FORMATS = List.of("bundled", "csv", "libsvm", "idx", "parquet", "synthetic");

    static DataSource of(ConfigNode n) {
        String format = n.choice("format", null, FORMATS);
        if (format.equals("synthetic")) {
            return synthetic(n);
        }
        String path = n.string(format.equals("bundled") ? "name" : "path", null);
        if (format.equals("bundled") && !BundledDatasets.NAMES.contains(path)) {
            throw new JobConfigException("'" + n.at("name") + "' must be one of " + BundledDatasets.NAMES + " but was '"
                    + path + "'");
        }
        String labels = format.equals("idx") ? n.string("labels", null) : null;
        boolean header = format.equals("csv") && n.bool("header", true);
        String labelColumn = format.equals("csv") || format.equals("parquet")
                ? n.string("label_column", header || format.equals("parquet") ? "label" : "0") : null;
        List<String> features = format.equals("csv") || format.equals("parquet") ? n.strings("feature_columns")
                : List.of();
        if (format.equals("parquet") && features.isEmpty()) {
            throw new JobConfigException("'" + n.at("feature_columns") + "' is required for parquet: the numeric "
                    + "columns (or one vector column) holding the features");
        }
        String delimiter = format.equals("csv") ? n.string("delimiter", ",") : ",";
        if (delimiter.length() != 1) {
            throw new JobConfigException("'" + n.at("delimiter") + "' must be one character but was '" + delimiter + "'");
        }
        int width = format.equals("libsvm") ? (int) n.integer("width", 0, 1, Integer.MAX_VALUE) : 0;
        String task = n.choice("task", "classification", List.of("classification", "regression"));
        int classes = task.equals("classification") ? (int) n.integer("classes", 0, 0, 1 << 24) : 0;
        Storage storage = Storage.valueOf(n.choice("storage", "float32", List.of("float32", "uint8"))
                .toUpperCase(Locale.ROOT));
        BadRowPolicy bad = BadRowPolicy.valueOf(n.choice("bad_rows", "error", List.of("error", "skip"))
                .toUpperCase(Locale.ROOT));
        int partitions = (int) n.integer("partitions", 2, 1, 1 << 20);
        n.finish();
        return new DataSource(format, path, labels, labelColumn, features, header, delimiter.charAt(0), width,
                task.equals("classification"), classes, storage, bad, partitions, null);
    }

    /** Rows labelled by a random teacher network, generated on the executors (for scale runs). */
    private static DataSource synthetic(ConfigNode n) {
        boolean classification = n.choice("task", "classification", List.of("classification", "regression"))
                .equals("classification");
        int partitions = (int) n.integer("partitions", 2, 1, 1 << 20);
        Synthetic.Spec spec = new Synthetic.Spec(n.integer("rows", 0, 1, Long.MAX_VALUE),
                (int) n.integer("width", 0, 1, 1 << 20), (int) n.integer("outputs", classification ? 10 : 1, 1, 1 << 20),
                classification, (int) n.integer("teacher_hidden", 64, 1, 1 << 16),
                (float) n.real("noise", 0.1, 0, 1e6), n.integer("seed", 1, Long.MIN_VALUE, Long.MAX_VALUE), partitions);
        n.finish(List.of("format", "task", "rows", "width", "outputs", "teacher_hidden", "noise", "seed", "partitions"));
        return new DataSource("synthetic", spec.rows() + " rows x " + spec.width(), null, null, List.of(), false, ',',
                spec.width(), classification, classification ? spec.outputs() : 0, Storage.FLOAT32, BadRowPolicy.ERROR,
                partitions, spec);
    }

    /** The options the readers take. */
    ReadOptions options() {
        ReadOptions o = classification ? ReadOptions.classification(classes) : ReadOptions.regression();
        return o.withStorage(storage).withPolicy(badRows).withPartitions(partitions);
    }

    /** Reads the source (lazily; the trainer caches it). */
    ShardedDataset read(SparkSession spark) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        return switch (format) {
            case "bundled" -> BundledDatasets.onSpark(jsc, path, partitions);
            case "csv" -> TextReaders.csv(jsc, path, new TextReaders.CsvOptions(header, delimiter, labelColumn,
                    featureColumns), options());
            case "libsvm" -> TextReaders.libsvm(jsc, path, width, options());
            case "idx" -> IdxReader.read(jsc, path, labels, options());
            case "parquet" -> FrameReader.parquet(spark, path, featureColumns, labelColumn, options());
            case "synthetic" -> Synthetic.generate(jsc, synthetic, options());
            default -> throw new IllegalStateException(format);
        };
    }

    /** Class names when the source knows them (bundled datasets), else an empty list. */
    List<String> classNames() {
        if (!format.equals("bundled")) {
            return List.of();
        }
        BundledDataset b = BundledDatasets.load(path);
        return b.classNames() == null ? List.of() : b.classNames();
    }

    /** For messages and summaries. */
    String describe() {
        return format + ":" + path;
    }
}
