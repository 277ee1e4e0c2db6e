package io.dendrite.spark.ml;

import io.dendrite.core.data.FeatureScaler;
import io.dendrite.core.kernel.Activation;
import io.dendrite.core.loss.Loss;
import io.dendrite.core.loss.Losses;
import io.dendrite.core.nn.Initializer;
import io.dendrite.core.nn.LayerSpec;
import io.dendrite.core.nn.NetworkSpec;
import io.dendrite.core.optim.LearningRateSchedule;
import io.dendrite.core.optim.Optimizer;
import io.dendrite.core.optim.Optimizers;
import io.dendrite.core.optim.Regularization;
import io.dendrite.core.run.CheckpointPolicy;
import io.dendrite.core.run.EarlyStopping;
import io.dendrite.core.run.TrainingConfig;
import io.dendrite.datasets.FrameReader;
import io.dendrite.datasets.LoadStats;
import io.dendrite.datasets.ReadOptions;
import io.dendrite.datasets.ShardedDataset;
import io.dendrite.spark.SparkTrainer;
import io.dendrite.spark.StepTransport;
import io.dendrite.spark.TrainingResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

/**
 * What {@code fit} does for every Dendrite estimator: checks the columns, reads the rows (features, label,
 * example weight) into packed blocks through the same reader the CLI uses for a DataFrame, keeps the
 * validation rows apart (also distributed), builds the {@link TrainingConfig} from the params and runs the
 * same {@link SparkTrainer} as the {@code train} command, so the same settings and partitioning give the
 * same weights.
 */
final class NetworkFit {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(NetworkFit.class);

    private NetworkFit() {
    }

    /**
     * The task: a softmax classifier of {@code outputs} classes, or a regression with linear outputs (as
     * many as the label has values), with its loss and class names.
     */
    record Task(boolean classification, int outputs, Loss loss, List<String> labels) {
    }

    /**
     * Trains on {@code dataset}. {@code classWeight}, when not null, is each row's class weight as a column
     * expression, multiplied into the example weight.
     */
    static TrainingResult fit(NetworkParams p, String stage, Dataset<?> dataset, String featuresCol, String labelCol,
                              Task task, Column classWeight) {
        Dataset<Row> df = dataset.toDF();
        SparkTrainer.refuseIfSlotsHeld(df.sparkSession().sparkContext(), transport(p));
        String weightCol = p.getWeightCol();
        String indicator = p.getValidationIndicatorCol();
        if (!weightCol.isEmpty()) {
            Columns.numeric(stage, df.schema(), "weightCol", weightCol);
        }
        if (!indicator.isEmpty()) {
            Columns.bool(stage, df.schema(), "validationIndicatorCol", indicator);
        }
        String monitor = p.string(p.earlyStoppingMonitor());
        if (monitor.startsWith("val_") && indicator.isEmpty()) {
            throw new IllegalArgumentException(stage + ": earlyStoppingMonitor '" + monitor + "' watches validation "
                    + "rows but there are none; set validationIndicatorCol, or monitor a training metric such as loss");
        }
        String weights = null;
        if (classWeight != null) {
            weights = weightCol.isEmpty() ? "classWeight" : weightCol;
            Column base = weightCol.isEmpty() ? functions.lit(1.0) : functions.col(weightCol).cast("double");
            df = df.withColumn(weights, base.multiply(classWeight));
        } else if (!weightCol.isEmpty()) {
            weights = weightCol;
        }
        Dataset<Row> trainRows = df;
        Dataset<Row> validationRows = null;
        if (!indicator.isEmpty()) {
            // A null indicator counts as false: the row is trained on.
            Column isValidation = functions.coalesce(functions.col(indicator), functions.lit(false));
            trainRows = df.filter(functions.not(isValidation));
            validationRows = df.filter(isValidation);
        }
        int partitions = (Integer) p.getOrDefault(p.numPartitions());
        if (partitions == 0) {
            partitions = df.sparkSession().sparkContext().defaultParallelism();
        }
        ReadOptions options = (task.classification() ? ReadOptions.classification(task.outputs())
                : ReadOptions.regression()).withPartitions(partitions);
        List<String> features = List.of(featuresCol);
        ShardedDataset train = FrameReader.frame(trainRows, features, labelCol, weights, options, stage + " input");
        ShardedDataset validation = validationRows == null ? null
                : FrameReader.frame(validationRows, features, labelCol, weights, options, stage + " validation rows");
        int outputs = task.classification() ? task.outputs() : train.targetWidth() - (weights == null ? 0 : 1);
        TrainingConfig config = config(p, stage, train.featureWidth(), outputs, task, weights != null);
        SparkTrainer.requireDriverFits(config); // before a row is read
        try {
            LoadStats loaded = train.cache();
            LOG.info("{}: {} training rows in {} partitions{}", stage, loaded.keptRows(), partitions,
                    validation == null ? "" : ", " + validation.cache().keptRows() + " validation rows");
            LOG.info("{}: {} - {} parameters - loss {} - {} - batch {} - {} epochs", stage, config.spec().describe(),
                    config.spec().parameterCount(), task.loss().id(), config.optimizer().id(), config.batchSize(),
                    config.epochs());
            String resume = p.getResumeFrom();
            String runDir = runDirectory(p, resume);
            if (runDir != null) {
                LOG.info("{}: checkpoints go to {}; to continue this fit, set resumeFrom to it", stage, runDir);
            }
            CheckpointPolicy policy = runDir == null ? CheckpointPolicy.NONE
                    : new CheckpointPolicy(runDir, 0, p.getCheckpointInterval(), 2);
            SparkTrainer trainer = new SparkTrainer(config, transport(p), policy,
                    report -> LOG.info("{}: {}", stage, report.line()));
            return resume.isEmpty() ? trainer.fit(train, validation) : trainer.resume(train, validation, resume);
        } finally {
            train.blocks().unpersist(false);
            if (validation != null) {
                validation.blocks().unpersist(false);
            }
        }
    }

    /** The training configuration the params describe, for {@code inputs} features. */
    static TrainingConfig config(NetworkParams p, String stage, int inputs, int outputs, Task task, boolean weighted) {
        Activation hidden = p.getActivation();
        double dropout = p.getDropout();
        List<LayerSpec> layers = new ArrayList<>();
        for (int units : p.getHiddenLayers()) {
            if (units < 1) {
                throw new IllegalArgumentException(stage + ": hiddenLayers must hold sizes >= 1 but holds " + units);
            }
            layers.add(new LayerSpec.Dense(units, hidden, initializer(hidden)));
            if (dropout > 0) {
                layers.add(new LayerSpec.Dropout((float) dropout));
            }
        }
        Activation out = task.classification() ? Activation.SOFTMAX : Activation.LINEAR;
        layers.add(new LayerSpec.Dense(outputs, out, Initializer.GLOROT_UNIFORM));
        NetworkSpec spec = new NetworkSpec(inputs, layers);
        String name = p.getOptimizer();
        Optimizer optimizer = Optimizers.of(name, (float) p.getLearningRate(), p.optimizerSettings(stage));
        Regularization reg = new Regularization((float) p.number(p.l1()), (float) p.number(p.l2()),
                (float) p.number(p.weightDecay()), (float) p.number(p.clipNorm()));
        String monitor = p.string(p.earlyStoppingMonitor());
        EarlyStopping es = monitor.isEmpty() ? null : new EarlyStopping(monitor,
                (float) p.number(p.earlyStoppingMinDelta()), (int) p.number(p.earlyStoppingPatience()),
                (Boolean) p.getOrDefault(p.restoreBestWeights()));
        FeatureScaler.Kind scaling = FeatureScaler.Kind.valueOf(p.string(p.scaling()).toUpperCase(Locale.ROOT));
        Loss loss = weighted ? Losses.weighted(task.loss()) : task.loss();
        return new TrainingConfig(spec, loss, optimizer, schedule(p), reg, p.getBatchSize(), p.getMaxEpochs(),
                p.getSeed(), 0, es, null, scaling, 1f, task.labels());
    }

    /** He initialisation before the ReLU family, Glorot before the rest (as the job files default). */
    private static Initializer initializer(Activation a) {
        return switch (a.kind()) {
            case RELU, LEAKY_RELU, ELU, GELU -> Initializer.HE_UNIFORM;
            default -> Initializer.GLOROT_UNIFORM;
        };
    }

    private static LearningRateSchedule schedule(NetworkParams p) {
        String kind = p.string(p.lrSchedule());
        long steps = (Long) p.getOrDefault(p.lrDecaySteps());
        boolean rateSet = p.isSet(p.lrDecayRate());
        float rate = rateSet ? (float) p.number(p.lrDecayRate()) : 0f;
        LearningRateSchedule s = switch (kind) {
            case "step" -> LearningRateSchedule.step(steps, rateSet ? rate : 0.1f);
            case "exponential" -> LearningRateSchedule.exponential(rateSet ? rate : 0.96f, steps);
            case "cosine" -> LearningRateSchedule.cosine(steps, 0f);
            default -> LearningRateSchedule.constant();
        };
        long warmup = (Long) p.getOrDefault(p.warmupSteps());
        return warmup > 0 ? LearningRateSchedule.warmup(warmup, 1f / 3, s) : s;
    }

    private static StepTransport transport(NetworkParams p) {
        return StepTransport.BARRIER.withMode(StepTransport.Mode.of(p.getStepMode()));
    }

    /**
     * Where this fit checkpoints, or null for nowhere: with {@code resume}, the run directory it continues
     * (the checkpoint's parent when it names one checkpoint); otherwise a new directory under checkpointDir
     * named by the stage's uid, the time and a random suffix, so every fit of one estimator — a grid search,
     * a notebook run twice — has its own (a root belongs to one run).
     */
    private static String runDirectory(NetworkParams p, String resume) {
        String root = p.getCheckpointDir();
        if (root.isEmpty()) {
            return null;
        }
        if (!resume.isEmpty()) {
            Path r = new Path(resume);
            return r.getName().startsWith("step-") ? r.getParent().toString() : r.toString();
        }
        String time = java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT)
                .format(java.time.LocalDateTime.now());
        String suffix = Integer.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextInt() >>> 8);
        return new Path(root, p.uid() + "-" + time + "-" + suffix).toString();
    }
}
