package io.dendrite.spark;

import io.dendrite.core.data.FeatureScaler;
import io.dendrite.core.loss.Loss;
import io.dendrite.core.model.Model;
import io.dendrite.core.nn.NetworkSpec;
import io.dendrite.datasets.RowFeatures;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.util.CollectionAccumulator;
import org.apache.spark.util.LongAccumulator;

/**
 * Scores one partition of rows on an executor, a block of rows at a time through the kernel; what each
 * output row holds is the {@link Output}'s choice ({@link IdsAndScores}: the row's first
 * {@code features.first()} columns, ids passed through, followed by {@link Model#score}'s predictions and
 * values as doubles, in {@link Model#scoreColumns} order). The rows are external {@link Row}s, whose
 * features {@link RowFeatures} reads by the same rules training reads a DataFrame by, or Spark's internal
 * rows (the Spark ML models' {@code transform}, which so skips converting every column twice); the
 * weights arrive by broadcast.
 *
 * @param <T> the row type
 */
public final class BlockScorer<T> implements FlatMapFunction<Iterator<T>, T> {
    /** Rows scored per pass through the network. */
    public static final int BLOCK_ROWS = 4096;
    private static final long serialVersionUID = 1L;

    private final NetworkSpec spec;
    private final Loss loss;
    private final Broadcast<float[]> weights;
    private final FeatureScaler scaler;
    private final List<String> labels;
    private final Reader<T> features;
    private final int width;
    private final Keep<T> keep;
    private final String source;
    private final LongAccumulator scoredRows;
    private final CollectionAccumulator<String> badInput;
    private final Output<T> output;
    private final Invalid invalid;

    /**
     * What scoring does with a row whose features hold a null, NaN or infinite value (Spark ML's
     * {@code handleInvalid}): fail naming it, leave it out, or keep it with NaN outputs.
     */
    public enum Invalid {
        /** Fail with the row's one-line message (the default). */
        ERROR,
        /** Leave the row out of the output. */
        SKIP,
        /** Keep the row; every value the model appends to it is NaN. */
        KEEP
    }

    /** How a row's features are read into a block. */
    @FunctionalInterface
    public interface Reader<T> extends java.io.Serializable {
        /**
         * Writes {@code row}'s features to {@code x} at {@code off}; a row that cannot be read is an
         * {@link IllegalArgumentException} ({@code BadRowException}) whose message names {@code where}.
         */
        void read(T row, float[] x, int off, String where);
    }

    /** What is kept of an input row until its block is scored: itself, or a copy when upstream reuses rows. */
    @FunctionalInterface
    public interface Keep<T> extends java.io.Serializable {
        /** The row to keep. */
        T apply(T row);
    }

    /** What a scored block becomes: one output row per input row. */
    public interface Output<T> extends java.io.Serializable {
        /**
         * The output rows of {@code block}, whose features (raw, {@code block.size()} rows) are {@code x};
         * the rows set in {@code invalid} were kept with invalid features ({@link Invalid#KEEP}): their
         * values are NaN.
         */
        List<T> rows(Model model, List<T> block, float[] x, java.util.BitSet invalid);
    }

    /**
     * A scorer of the model given by its parts, reading {@code features} of rows from {@code source}. A row
     * that cannot be read (a null, a value that is not a number, a vector of another size) ends its
     * partition and its message goes to {@code badInput} rather than failing the task, so Spark does not
     * retry a deterministic input error; the caller fails the job with it ({@link #stopOnBadInput}).
     */
    public static BlockScorer<Row> ofRows(NetworkSpec spec, Loss loss, Broadcast<float[]> weights, FeatureScaler scaler,
                                          List<String> labels, RowFeatures features, String source,
                                          LongAccumulator scoredRows, CollectionAccumulator<String> badInput) {
        return new BlockScorer<>(spec, loss, weights, scaler, labels, features::read, features.width(), r -> r, source,
                scoredRows, badInput, new IdsAndScores(features.first()));
    }

    /**
     * A scorer reading {@code width} features of each row with {@code features}, keeping each input row
     * as {@code keep} gives it (a copy, when the upstream reuses its row objects), and making its rows with
     * {@code output}. With {@code badInput} null, a row that cannot be read fails the task with its message
     * (for a lazy DataFrame, whose action the caller does not run); {@code scoredRows} may be null.
     */
    public BlockScorer(NetworkSpec spec, Loss loss, Broadcast<float[]> weights, FeatureScaler scaler, List<String> labels,
                       Reader<T> features, int width, Keep<T> keep, String source,
                       LongAccumulator scoredRows, CollectionAccumulator<String> badInput, Output<T> output) {
        this.output = output;
        this.width = width;
        this.keep = keep;
        this.spec = spec;
        this.loss = loss;
        this.weights = weights;
        this.scaler = scaler;
        this.labels = List.copyOf(labels);
        this.features = features;
        this.source = source;
        this.scoredRows = scoredRows;
        this.badInput = badInput;
        this.invalid = Invalid.ERROR;
    }

    private BlockScorer(BlockScorer<T> s, Invalid invalid) {
        this.output = s.output;
        this.width = s.width;
        this.keep = s.keep;
        this.spec = s.spec;
        this.loss = s.loss;
        this.weights = s.weights;
        this.scaler = s.scaler;
        this.labels = s.labels;
        this.features = s.features;
        this.source = s.source;
        this.scoredRows = s.scoredRows;
        this.badInput = s.badInput;
        this.invalid = invalid;
    }

    /** The same scorer, treating rows with invalid feature values as {@code mode} says. */
    public BlockScorer<T> handlingInvalid(Invalid mode) {
        return new BlockScorer<>(this, mode);
    }

    /**
     * Runs {@code job} (which scores with a scorer reporting to {@code badInput}) in its own job group,
     * cancelling it as soon as a task reports a bad input; then fails with the first bad input's message
     * when there was one.
     */
    public static void stopOnBadInput(JavaSparkContext jsc, CollectionAccumulator<String> badInput, Runnable job) {
        String group = "dendrite-score-" + java.util.UUID.randomUUID();
        SparkListener canceller = new SparkListener() {
            @Override
            public void onTaskEnd(SparkListenerTaskEnd end) {
                if (!badInput.isZero()) {
                    jsc.sc().cancelJobGroup(group);
                }
            }
        };
        jsc.sc().addSparkListener(canceller);
        jsc.setJobGroup(group, "dendrite score", true);
        RuntimeException failed = null;
        try {
            job.run();
        } catch (RuntimeException e) {
            failed = e;
        } catch (Exception e) { // Spark's SparkException, thrown unchecked from Scala: the cancelled job, say
            failed = new IllegalStateException(e.getMessage(), e);
        } finally {
            jsc.clearJobGroup();
            jsc.sc().removeSparkListener(canceller);
        }
        if (!badInput.isZero()) {
            throw new IllegalArgumentException(badInput.value().get(0), failed);
        }
        if (failed != null) {
            throw failed;
        }
    }

    @Override
    public Iterator<T> call(Iterator<T> it) {
        Model model = new Model(spec, loss, weights.value(), scaler, labels, Map.of());
        int partition = TaskContext.get() == null ? 0 : TaskContext.getPartitionId();
        return new Iterator<>() {
            private final List<T> block = new ArrayList<>(BLOCK_ROWS);
            private final java.util.BitSet kept = new java.util.BitSet();
            private final float[] x = new float[BLOCK_ROWS * width];
            private List<T> scored = List.of();
            private int next;
            private long seen;
            private boolean stopped;

            @Override
            public boolean hasNext() {
                if (next < scored.size()) {
                    return true;
                }
                block.clear();
                kept.clear();
                while (block.size() < BLOCK_ROWS && !stopped) {
                    T r = null;
                    try {
                        // A reader that parses lazily (CSV) fails in the upstream hasNext or next.
                        if (!it.hasNext()) {
                            break;
                        }
                        r = it.next();
                        features.read(r, x, block.size() * width, source + " partition " + partition + " record "
                                + seen++);
                        block.add(keep.apply(r));
                    } catch (IllegalArgumentException e) { // BadRowException: the rest of the partition is not scored
                        if (r != null && invalid != Invalid.ERROR && e instanceof io.dendrite.datasets.BadRowException b
                                && b.invalidValue()) {
                            if (invalid == Invalid.KEEP) { // scored on zeros, its values then made NaN
                                java.util.Arrays.fill(x, block.size() * width, (block.size() + 1) * width, 0f);
                                kept.set(block.size());
                                block.add(keep.apply(r));
                            }
                            continue;
                        }
                        if (badInput == null) {
                            throw e;
                        }
                        badInput.add(e.getMessage());
                        stopped = true;
                    }
                }
                if (block.isEmpty()) {
                    return false;
                }
                int m = block.size();
                if (scoredRows != null) {
                    scoredRows.add(m);
                }
                scored = output.rows(model, block, m * width == x.length ? x : java.util.Arrays.copyOf(x, m * width),
                        kept);
                next = 0;
                return true;
            }

            @Override
            public T next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return scored.get(next++);
            }
        };
    }

    /** The ids passed through, then {@link Model#score}'s predictions and values as doubles. */
    public record IdsAndScores(int ids) implements Output<Row> {
        @Override
        public List<Row> rows(Model model, List<Row> block, float[] x, java.util.BitSet invalid) {
            int m = block.size();
            Model.Scores scores = model.score(x, m);
            int predicted = scores.predictionsPerRow();
            int per = scores.valuesPerRow();
            List<Row> out = new ArrayList<>(m);
            for (int i = 0; i < m; i++) {
                Object[] fields = new Object[ids + predicted + per];
                Row r = block.get(i);
                for (int c = 0; c < ids; c++) {
                    fields[c] = r.get(c);
                }
                int f = ids;
                for (int k = 0; k < predicted; k++) {
                    fields[f++] = (double) scores.predictions()[i * predicted + k];
                }
                for (int k = 0; k < per; k++) {
                    fields[f++] = (double) scores.values()[i * per + k];
                }
                out.add(RowFactory.create(fields));
            }
            return out;
        }
    }
}
