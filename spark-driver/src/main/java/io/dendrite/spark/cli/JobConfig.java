package io.dendrite.spark.cli;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.dendrite.core.data.FeatureScaler;
import io.dendrite.core.kernel.Activation;
import io.dendrite.core.loss.Loss;
import io.dendrite.core.nn.Initializer;
import io.dendrite.core.nn.LayerSpec;
import io.dendrite.core.nn.NetworkSpec;
import io.dendrite.core.optim.LearningRateSchedule;
import io.dendrite.core.optim.Optimizer;
import io.dendrite.core.optim.Optimizers;
import io.dendrite.core.optim.Regularization;
import io.dendrite.core.run.CheckpointPolicy;
import io.dendrite.core.run.Divergence;
import io.dendrite.core.run.EarlyStopping;
import io.dendrite.core.run.ReduceLrOnPlateau;
import io.dendrite.core.run.TrainingConfig;
import io.dendrite.spark.StepTransport;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A training job as its YAML file describes it, with {@code key.path=value} overrides applied first:
 * {@code model} (layers, loss), {@code optimizer} (name, rate, hyperparameters, schedule,
 * regularisation), {@code data} (train/validation/test sources, splits, scaling), {@code training}
 * (batch, epochs, seed, callbacks, checkpoints) and {@code output}. Every key is checked; an unknown key
 * or a bad value fails naming its path and what is allowed. The network's input width comes from the
 * data, so the training configuration is completed once the data is read.
 */
public record JobConfig(List<LayerSpecConf> layers, Loss loss, Optimizer optimizer, LearningRateSchedule schedule,
                        Regularization regularization, DataConf data, int batchSize, int epochs, long seed,
                        EarlyStopping earlyStopping, ReduceLrOnPlateau plateau, CheckpointPolicy checkpoints,
                        StepTransport transport, Divergence divergence, String outputDir, boolean chart) {

    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /** One layer as written: a dense layer or dropout. */
    public record LayerSpecConf(String kind, int units, Activation activation, Initializer initializer, float rate) {
        LayerSpec toSpec() {
            return kind.equals("dense") ? new LayerSpec.Dense(units, activation, initializer) : new LayerSpec.Dropout(rate);
        }
    }

    /** The {@code data} section. */
    public record DataConf(DataSource train, DataSource validation, DataSource test, double validationSplit,
                           double testSplit, FeatureScaler.Kind scaling, float scalingDivisor, int streamWindow) {
        /** Whether the training data is streamed (read afresh each epoch) rather than cached. */
        public boolean streamed() {
            return streamWindow > 0;
        }
    }

    /** Rows of each streamed shard held and shuffled at a time, unless the job says otherwise. */
    static final int DEFAULT_SHUFFLE_WINDOW = 8192;

    /** Reads a job file (YAML) and applies {@code key.path=value} overrides. */
    public static JobConfig parse(InputStream yaml, String source, List<String> overrides) {
        JsonNode root;
        try {
            byte[] text = yaml.readAllBytes();
            refuseDuplicateKeys(text, source);
            root = YAML.readTree(text);
        } catch (IOException e) {
            throw new JobConfigException(source + ": not valid YAML: " + e.getMessage());
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            root = YAML.createObjectNode();
        }
        if (!root.isObject()) {
            throw new JobConfigException(source + ": a job file is a mapping with model, optimizer, data, training "
                    + "and output");
        }
        for (String o : overrides) {
            int eq = o.indexOf('=');
            if (eq <= 0) {
                throw new JobConfigException("override '" + o + "' must look like key.path=value, e.g. training.epochs=5");
            }
            JsonNode value;
            try {
                value = YAML.readTree(o.substring(eq + 1));
            } catch (IOException e) {
                throw new JobConfigException("override '" + o + "': the value is not valid YAML: " + e.getMessage());
            }
            ConfigNode.override((ObjectNode) root, o.substring(0, eq).trim(), value == null || value.isMissingNode()
                    ? YAML.getNodeFactory().textNode("") : value);
        }
        return of(new ConfigNode(root, ""));
    }

    /**
     * Refuses a key given twice in one mapping (two {@code training:} sections, two {@code learning_rate:}),
     * naming both lines: YAML readers keep the last one and drop the first without a word.
     */
    private static void refuseDuplicateKeys(byte[] text, String source) throws IOException {
        Deque<Level> levels = new ArrayDeque<>();
        try (JsonParser p = YAML.getFactory().createParser(text)) {
            for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
                if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
                    levels.pop();
                    continue;
                }
                if (t == JsonToken.FIELD_NAME) {
                    Level top = levels.peek();
                    top.name = p.currentName();
                    int line = p.currentTokenLocation().getLineNr();
                    Integer first = top.lines.putIfAbsent(top.name, line);
                    if (first != null) {
                        StringBuilder key = new StringBuilder();
                        levels.descendingIterator().forEachRemaining(l -> key.append(key.isEmpty() ? "" : ".")
                                .append(l.lines == null ? String.valueOf(l.index) : l.name));
                        throw new JobConfigException(source + ": '" + key + "' is given twice, on line " + first
                                + " and on line " + line + "; keep one");
                    }
                    continue;
                }
                if (!levels.isEmpty() && levels.peek().lines == null) {
                    levels.peek().index++;
                }
                if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
                    levels.push(new Level(t == JsonToken.START_OBJECT ? new HashMap<>() : null));
                }
            }
        }
    }

    /** One open mapping (its keys' first lines and the key being read) or list (the item being read). */
    private static final class Level {
        final Map<String, Integer> lines;
        String name;
        int index = -1;

        Level(Map<String, Integer> lines) {
            this.lines = lines;
        }
    }

    private static JobConfig of(ConfigNode root) {
        ConfigNode model = root.child("model");
        List<LayerSpecConf> layers = new ArrayList<>();
        for (ConfigNode l : model.list("layers")) {
            layers.add(layer(l));
        }
        if (layers.isEmpty() || !layers.get(layers.size() - 1).kind().equals("dense")) {
            throw new JobConfigException("'model.layers' must end with a dense output layer");
        }
        String lossName = model.choice("loss", null, Loss.NAMES);
        float delta = (float) model.real("huber_delta", 1.0, 1e-12, Double.MAX_VALUE);
        Loss loss = Loss.of(lossName, delta);
        model.finish(List.of("layers", "loss", "huber_delta"));

        ConfigNode opt = root.child("optimizer");
        Optimizer optimizer = optimizer(opt);
        LearningRateSchedule schedule = schedule(opt.optionalChild("schedule"));
        Regularization reg = new Regularization((float) opt.real("l1", 0, 0, 1e6), (float) opt.real("l2", 0, 0, 1e6),
                (float) opt.real("decoupled_weight_decay", 0, 0, 1), (float) opt.real("clip_norm", 0, 0, 1e12));
        opt.finish(List.of("name", "learning_rate", "momentum", "beta1", "beta2", "epsilon", "rho", "alpha",
                "weight_decay", "momentum_decay", "schedule", "l1", "l2", "decoupled_weight_decay", "clip_norm"));

        DataConf data = data(root.child("data"));

        ConfigNode t = root.child("training");
        int batch = (int) t.integer("batch_size", 128, 1, Integer.MAX_VALUE);
        int epochs = (int) t.integer("epochs", 10, 1, 1_000_000);
        long seed = t.integer("seed", 0, Long.MIN_VALUE, Long.MAX_VALUE);
        EarlyStopping es = null;
        ConfigNode esNode = t.optionalChild("early_stopping");
        if (esNode != null) {
            es = new EarlyStopping(esNode.string("monitor", "val_loss"), (float) esNode.real("min_delta", 0, 0, 1e12),
                    (int) esNode.integer("patience", 5, 0, 1_000_000), esNode.bool("restore_best_weights", true));
            esNode.finish(List.of("monitor", "min_delta", "patience", "restore_best_weights"));
        }
        ReduceLrOnPlateau plateau = null;
        ConfigNode pl = t.optionalChild("reduce_lr_on_plateau");
        if (pl != null) {
            plateau = new ReduceLrOnPlateau(pl.string("monitor", "val_loss"), (float) pl.real("factor", 0.1, 1e-9, 0.999999),
                    (int) pl.integer("patience", 10, 0, 1_000_000), (float) pl.real("min_delta", 1e-4, 0, 1e12),
                    (int) pl.integer("cooldown", 0, 0, 1_000_000), (float) pl.real("min_lr", 0, 0, 1e6));
            pl.finish(List.of("monitor", "factor", "patience", "min_delta", "cooldown", "min_lr"));
        }
        CheckpointPolicy checkpoints = CheckpointPolicy.NONE;
        ConfigNode ck = t.optionalChild("checkpoint");
        if (ck != null) {
            String dir = ck.string("dir", null);
            long everySteps = ck.integer("every_steps", 0, 0, Long.MAX_VALUE);
            int everyEpochs = (int) ck.integer("every_epochs", everySteps == 0 ? 1 : 0, 0, 1_000_000);
            checkpoints = new CheckpointPolicy(dir, everySteps, everyEpochs,
                    (int) ck.integer("keep", 2, 1, 1_000_000));
            ck.finish(List.of("dir", "every_steps", "every_epochs", "keep"));
        }
        StepTransport transport = transport(t);
        if (data.streamed()) {
            try {
                transport.mode().requireStreams();
            } catch (IllegalArgumentException e) {
                throw new JobConfigException(e.getMessage());
            }
        }
        Divergence divergence = t.choice("on_divergence", "stop", List.of("stop", "skip")).equals("skip")
                ? Divergence.SKIP : Divergence.STOP;
        t.finish(List.of("batch_size", "epochs", "seed", "early_stopping", "reduce_lr_on_plateau", "checkpoint",
                "mode", "parameter_server", "on_divergence"));

        ConfigNode out = root.child("output");
        String dir = out.string("dir", "dendrite-output");
        boolean chart = out.bool("chart", true);
        out.finish(List.of("dir", "chart"));
        root.finish(List.of("model", "optimizer", "data", "training", "output"));
        return new JobConfig(layers, loss, optimizer, schedule, reg, data, batch, epochs, seed, es, plateau, checkpoints,
                transport, divergence, dir, chart);
    }

    /** {@code training.mode} and {@code training.parameter_server}. */
    private static StepTransport transport(ConfigNode t) {
        StepTransport d = StepTransport.BARRIER;
        StepTransport.Mode m = StepTransport.Mode.of(t.choice("mode", d.mode().id(), StepTransport.Mode.ids()));
        ConfigNode ps = t.optionalChild("parameter_server");
        if (ps == null) {
            return d.withMode(m);
        }
        StepTransport s = new StepTransport(m,
                ps.has("host") ? ps.string("host", null) : null,
                ps.has("bind_address") ? ps.string("bind_address", null) : null,
                (int) ps.integer("port", d.port(), 0, 65535),
                (int) ps.integer("port_retries", d.portRetries(), 0, 65535),
                millis(ps, "connect_timeout_s", d.connectMillis()), millis(ps, "step_timeout_s", d.stepMillis()),
                millis(ps, "slots_timeout_s", d.slotsMillis()), (int) ps.integer("fan_out", d.fanOut(), 1, 64));
        ps.finish(List.of("host", "bind_address", "port", "port_retries", "connect_timeout_s", "step_timeout_s",
                "slots_timeout_s", "fan_out"));
        return s;
    }

    private static long millis(ConfigNode node, String key, long fallbackMillis) {
        return Math.round(node.real(key, fallbackMillis / 1000.0, 0.001, 86_400) * 1000);
    }

    private static LayerSpecConf layer(ConfigNode l) {
        boolean dense = l.has("dense");
        boolean dropout = l.has("dropout");
        if (dense == dropout) {
            throw new JobConfigException("'" + l.path() + "' must have exactly one of 'dense: <units>' or "
                    + "'dropout: <rate>'");
        }
        if (dropout) {
            float rate = (float) l.real("dropout", 0, 0, 0.999999);
            l.finish(List.of("dropout"));
            return new LayerSpecConf("dropout", 0, null, null, rate);
        }
        int units = (int) l.integer("dense", 0, 1, 1 << 20);
        String act = l.choice("activation", "linear", Activation.NAMES);
        float alpha = (float) l.real("alpha", act.equals("elu") ? 1.0 : 0.01, 0, 1e6);
        String init = l.choice("init", act.contains("relu") || act.equals("elu") || act.equals("gelu")
                ? "he_uniform" : "glorot_uniform", Initializer.NAMES);
        float scale = (float) l.real("init_scale", 0.05, 0, 1e6);
        l.finish(List.of("dense", "activation", "alpha", "init", "init_scale"));
        return new LayerSpecConf("dense", units, Activation.of(act, alpha), Initializer.of(init, scale), 0f);
    }

    private static Optimizer optimizer(ConfigNode o) {
        String name = o.choice("name", "adam", Optimizers.NAMES);
        float lr = (float) o.real("learning_rate", Optimizers.defaultLearningRate(name), 0, 1e6);
        return Optimizers.of(name, lr, (key, d, min, max) -> (float) o.real(key, d, min, max));
    }

    private static LearningRateSchedule schedule(ConfigNode s) {
        if (s == null) {
            return LearningRateSchedule.constant();
        }
        String type = s.choice("type", null, List.of("constant", "step", "exponential", "cosine", "warmup"));
        LearningRateSchedule out = switch (type) {
            case "constant" -> LearningRateSchedule.constant();
            case "step" -> LearningRateSchedule.step(s.integer("step_size", 0, 1, Long.MAX_VALUE),
                    (float) s.real("gamma", 0.1, 0, 1));
            case "exponential" -> LearningRateSchedule.exponential((float) s.real("gamma", 0.96, 0, 1),
                    s.integer("decay_steps", 1, 1, Long.MAX_VALUE));
            case "cosine" -> LearningRateSchedule.cosine(s.integer("total_steps", 0, 1, Long.MAX_VALUE),
                    (float) s.real("min_rate", 0, 0, 1e6));
            case "warmup" -> LearningRateSchedule.warmup(s.integer("steps", 0, 1, Long.MAX_VALUE),
                    (float) s.real("start_factor", 1.0 / 3, 1e-9, 1), schedule(s.optionalChild("then")));
            default -> throw new IllegalStateException(type);
        };
        s.finish(List.of("type", "step_size", "gamma", "decay_steps", "total_steps", "min_rate", "steps",
                "start_factor", "then"));
        return out;
    }

    private static DataConf data(ConfigNode d) {
        DataSource train = DataSource.of(d.child("train"));
        ConfigNode v = d.optionalChild("validation");
        ConfigNode t = d.optionalChild("test");
        double validationSplit = d.real("validation_split", 0, 0, 0.99);
        double testSplit = d.real("test_split", 0, 0, 0.99);
        if (v != null && validationSplit > 0) {
            throw new JobConfigException("'data.validation' and 'data.validation_split' exclude each other; set one");
        }
        if (t != null && testSplit > 0) {
            throw new JobConfigException("'data.test' and 'data.test_split' exclude each other; set one");
        }
        String scaling = d.choice("scaling", "none", List.of("none", "standard", "min_max", "constant"));
        float divisor = (float) d.real("scaling_divisor", 255, 1e-12, 1e12);
        boolean stream = d.bool("stream", false);
        int window = (int) d.integer("shuffle_window", DEFAULT_SHUFFLE_WINDOW, 1, 1 << 24);
        if (!stream && d.has("shuffle_window")) {
            throw new JobConfigException("'" + d.at("shuffle_window") + "' applies to streamed training data only; "
                    + "set data.stream: true or remove it (cached data is shuffled whole each epoch)");
        }
        d.finish(List.of("train", "validation", "test", "validation_split", "test_split", "scaling", "scaling_divisor",
                "stream", "shuffle_window"));
        return new DataConf(train, v == null ? null : DataSource.of(v), t == null ? null : DataSource.of(t),
                validationSplit, testSplit, FeatureScaler.Kind.valueOf(scaling.toUpperCase(java.util.Locale.ROOT)),
                divisor, stream ? window : 0);
    }

    /** The network for data of {@code inputWidth} features. */
    public NetworkSpec spec(int inputWidth) {
        return new NetworkSpec(inputWidth, layers.stream().map(LayerSpecConf::toSpec).toList());
    }

    /** The complete training configuration once the data's width and class names are known. */
    public TrainingConfig trainingConfig(int inputWidth, List<String> labels) {
        return new TrainingConfig(spec(inputWidth), loss, optimizer, schedule, regularization, batchSize, epochs, seed,
                data.validation() == null ? data.validationSplit() : 0, earlyStopping, plateau, data.scaling(),
                data.scalingDivisor(), labels);
    }
}
