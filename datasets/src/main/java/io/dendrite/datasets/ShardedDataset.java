package io.dendrite.datasets;

import io.dendrite.core.data.Dataset;
import io.dendrite.core.data.FeatureScaler;
import io.dendrite.core.util.Checks;
import io.dendrite.core.util.Rng;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.storage.StorageLevel;

/**
 * The common form every reader produces: an RDD whose partitions hold {@link ExampleBlock}s (contiguous
 * row-major blocks, never an object per row), with the widths and the task they share.
 */
public final class ShardedDataset {
    private final JavaRDD<ExampleBlock> blocks;
    private final int featureWidth;
    private final int targetWidth;
    private final ReadOptions options;
    private final String source;
    private final long[] knownRows;

    ShardedDataset(JavaRDD<ExampleBlock> blocks, int featureWidth, int targetWidth, ReadOptions options, String source) {
        this(blocks, featureWidth, targetWidth, options, source, null);
    }

    private ShardedDataset(JavaRDD<ExampleBlock> blocks, int featureWidth, int targetWidth, ReadOptions options,
                           String source, long[] knownRows) {
        this.blocks = blocks;
        this.featureWidth = featureWidth;
        this.targetWidth = targetWidth;
        this.options = options;
        this.source = source;
        this.knownRows = knownRows;
    }

    /**
     * The rows of each partition when the source knows them without reading (generated data), else null.
     * A trainer that streams the data then needs no counting pass.
     */
    public long[] knownRows() {
        return knownRows == null ? null : knownRows.clone();
    }

    /** The packed blocks. */
    public JavaRDD<ExampleBlock> blocks() {
        return blocks;
    }

    /** Features per example. */
    public int featureWidth() {
        return featureWidth;
    }

    /** Target values per example. */
    public int targetWidth() {
        return targetWidth;
    }

    /** The options it was read with. */
    public ReadOptions options() {
        return options;
    }

    /** Where it came from, for messages. */
    public String source() {
        return source;
    }

    /**
     * Caches the blocks in memory (deserialized, so the kernel reads them directly), materialises them
     * and returns what reading kept and skipped. Fails on an input with no usable row.
     */
    public LoadStats cache() {
        blocks.persist(StorageLevel.MEMORY_ONLY());
        LoadStats stats = stats();
        if (stats.keptRows() == 0) {
            throw new IllegalArgumentException("empty input: " + source + " holds no usable rows (" + stats + ")");
        }
        return stats;
    }

    /**
     * Rows read, kept and skipped, summed over every block (computes the blocks unless cached). A bad
     * input (a bad row under the error policy, a header that differs) fails with its one-line message,
     * that of the first partition holding one. The readers hand such a failure back in a block rather than
     * failing the task ({@link ExampleBlock#failure()}), so Spark does not retry a deterministic input
     * error {@code spark.task.maxFailures} times, re-reading the input each time.
     */
    public LoadStats stats() {
        LoadStats s = blocks.map(ExampleBlock::stats).fold(new LoadStats(), LoadStats::mergeInPlace);
        if (s.failure() != null) {
            throw new IllegalArgumentException(s.failure());
        }
        return s;
    }

    /** The number of examples. */
    public long count() {
        return blocks.map(b -> (long) b.rows()).fold(0L, Long::sum);
    }

    /**
     * A deterministic random split: each row goes to part {@code i} with probability
     * {@code weights[i] / Σ weights}, drawn from {@code (seed, partition)}, so the same input, partitioning
     * and seed always give the same parts.
     */
    public ShardedDataset[] split(double[] weights, long seed) {
        double total = 0;
        for (double w : weights) {
            Checks.checkArgument(w > 0 && Double.isFinite(w), "split weights must be finite and > 0 but got %s", w);
            total += w;
        }
        double[] cumulative = new double[weights.length];
        double acc = 0;
        for (int i = 0; i < weights.length; i++) {
            acc += weights[i] / total;
            cumulative[i] = acc;
        }
        ShardedDataset[] parts = new ShardedDataset[weights.length];
        int fw = featureWidth;
        int tw = targetWidth;
        Storage storage = options.storage();
        int blockRows = options.blockRows();
        for (int part = 0; part < weights.length; part++) {
            int wanted = part;
            JavaRDD<ExampleBlock> rdd = blocks.mapPartitionsWithIndex((index, it) ->
                    select(it, Rng.derive(seed, index), cumulative, wanted, fw, tw, storage, blockRows), true);
            parts[part] = new ShardedDataset(rdd, featureWidth, targetWidth, options, source + " part " + part);
        }
        return parts;
    }

    private static Iterator<ExampleBlock> select(Iterator<ExampleBlock> it, long seed, double[] cumulative, int wanted,
                                                 int featureWidth, int targetWidth, Storage storage, int blockRows) {
        Rng rng = new Rng(seed);
        Iterator<ExampleBlock> source = it;
        RowSource rows = new RowSource() {
            private ExampleBlock block;
            private int row;

            @Override
            public boolean next(float[] xs, float[] ys) {
                while (true) {
                    while (block == null || row == block.rows()) {
                        if (!source.hasNext()) {
                            return false;
                        }
                        block = source.next();
                        row = 0;
                    }
                    int r = row++;
                    double u = rng.nextDouble();
                    int part = 0;
                    while (part < cumulative.length - 1 && u >= cumulative[part]) {
                        part++;
                    }
                    if (part == wanted) {
                        block.copyFeatures(r, xs, 0);
                        System.arraycopy(block.targets(), r * targetWidth, ys, 0, targetWidth);
                        return true;
                    }
                }
            }

            @Override
            public String where() {
                return "row " + row;
            }
        };
        return new Packer(rows, featureWidth, targetWidth, storage, blockRows, BadRowPolicy.ERROR);
    }

    /** Fits feature scaling on this data with one distributed pass (sums, squares, minima, maxima). */
    public FeatureScaler fitScaler(FeatureScaler.Kind kind, float divisor) {
        if (kind == FeatureScaler.Kind.NONE) {
            return FeatureScaler.none(featureWidth);
        }
        if (kind == FeatureScaler.Kind.CONSTANT) {
            return FeatureScaler.constant(featureWidth, divisor);
        }
        ColumnStats s = blocks.treeAggregate(new ColumnStats(featureWidth), ColumnStats::add, ColumnStats::merge);
        Checks.checkArgument(s.count > 0, "cannot fit scaling on an empty dataset (%s)", source);
        return s.scaler(kind);
    }

    /** A float32 copy with {@code scaler} applied to every feature (not cached). */
    public ShardedDataset scaled(FeatureScaler scaler) {
        Checks.checkArgument(scaler.width() == featureWidth, "scaler covers %s features but the data has %s",
                scaler.width(), featureWidth);
        JavaRDD<ExampleBlock> rdd = blocks.map(b -> {
            // Blocks are immutable once cached: scale a copy.
            float[] x = b.featuresAsFloat().clone();
            scaler.transformInPlace(x, 0, b.rows());
            return new ExampleBlock(b.rows(), b.featureWidth(), b.targetWidth(), x, null, b.targets(), b.stats());
        });
        return new ShardedDataset(rdd, featureWidth, targetWidth, options.withStorage(Storage.FLOAT32), source + " scaled",
                knownRows);
    }

    /**
     * The same rows in {@code partitions} partitions, joining neighbouring ones without a shuffle (so
     * partition sizes may become uneven); asking for more partitions than there are keeps them as they are.
     */
    public ShardedDataset coalesce(int partitions) {
        Checks.atLeast("partitions", partitions, 1);
        return new ShardedDataset(blocks.coalesce(partitions, false), featureWidth, targetWidth, options,
                source + " in " + partitions + " partitions");
    }

    /** Brings every row to the driver as a trainer-core dataset; for small data only. */
    public Dataset collectLocal() {
        List<ExampleBlock> all = blocks.collect();
        long rows = 0;
        for (ExampleBlock b : all) {
            rows += b.rows();
        }
        Checks.checkArgument(rows > 0, "empty input: %s holds no rows", source);
        Checks.checkArgument(rows * featureWidth < Integer.MAX_VALUE - 8, "%s rows are too many to collect", rows);
        float[] x = new float[(int) rows * featureWidth];
        float[] y = new float[(int) rows * targetWidth];
        int r = 0;
        for (ExampleBlock b : all) {
            for (int i = 0; i < b.rows(); i++, r++) {
                b.copyFeatures(i, x, r * featureWidth);
            }
            System.arraycopy(b.targets(), 0, y, (r - b.rows()) * targetWidth, b.rows() * targetWidth);
        }
        return Dataset.of(x, featureWidth, y, targetWidth);
    }

    /** Per-feature sums for fitting scalers; mergeable. */
    static final class ColumnStats implements java.io.Serializable {
        private static final long serialVersionUID = 1L;
        long count;
        final double[] sum;
        final double[] sumSq;
        final float[] min;
        final float[] max;

        ColumnStats(int width) {
            sum = new double[width];
            sumSq = new double[width];
            min = new float[width];
            max = new float[width];
            java.util.Arrays.fill(min, Float.POSITIVE_INFINITY);
            java.util.Arrays.fill(max, Float.NEGATIVE_INFINITY);
        }

        ColumnStats add(ExampleBlock b) {
            float[] x = new float[sum.length];
            for (int r = 0; r < b.rows(); r++) {
                b.copyFeatures(r, x, 0);
                for (int c = 0; c < x.length; c++) {
                    sum[c] += x[c];
                    sumSq[c] += (double) x[c] * x[c];
                    min[c] = Math.min(min[c], x[c]);
                    max[c] = Math.max(max[c], x[c]);
                }
            }
            count += b.rows();
            return this;
        }

        ColumnStats merge(ColumnStats o) {
            count += o.count;
            for (int c = 0; c < sum.length; c++) {
                sum[c] += o.sum[c];
                sumSq[c] += o.sumSq[c];
                min[c] = Math.min(min[c], o.min[c]);
                max[c] = Math.max(max[c], o.max[c]);
            }
            return this;
        }

        FeatureScaler scaler(FeatureScaler.Kind kind) {
            int w = sum.length;
            float[] shift = new float[w];
            float[] scale = new float[w];
            for (int c = 0; c < w; c++) {
                if (kind == FeatureScaler.Kind.STANDARD) {
                    double mean = sum[c] / count;
                    double std = Math.sqrt(Math.max(0, sumSq[c] / count - mean * mean));
                    shift[c] = (float) mean;
                    scale[c] = std > 1e-12 ? (float) (1 / std) : 1f;
                } else {
                    shift[c] = min[c];
                    scale[c] = max[c] > min[c] ? 1f / (max[c] - min[c]) : 1f;
                }
            }
            return new FeatureScaler(kind, shift, scale);
        }
    }

    /**
     * Distributes a small in-memory dataset (e.g. a bundled one) over {@code partitions} partitions; the
     * driver holds it whole, so this is for data that fits there.
     */
    public static ShardedDataset parallelize(org.apache.spark.api.java.JavaSparkContext jsc, Dataset data,
                                             int partitions, ReadOptions options, String source) {
        Checks.atLeast("partitions", partitions, 1);
        float[] x = data.features();
        float[] y = data.targets();
        int fw = data.featureWidth();
        int tw = data.targetWidth();
        List<ExampleBlock> slices = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            int from = (int) ((long) data.rows() * p / partitions);
            int to = (int) ((long) data.rows() * (p + 1) / partitions);
            RowSource rows = new RowSource() {
                private int r = from;

                @Override
                public boolean next(float[] xs, float[] ys) {
                    if (r == to) {
                        return false;
                    }
                    System.arraycopy(x, r * fw, xs, 0, fw);
                    System.arraycopy(y, r * tw, ys, 0, tw);
                    r++;
                    return true;
                }

                @Override
                public String where() {
                    return source + " row " + (r - 1);
                }
            };
            new Packer(rows, fw, tw, options.storage(), Integer.MAX_VALUE, options.policy()).forEachRemaining(slices::add);
        }
        return new ShardedDataset(jsc.parallelize(slices, partitions), fw, tw, options, source);
    }

    /**
     * Builds a dataset from row sources made on the executors, one per partition index; {@code knownRows}
     * says how many rows each makes when that is certain before reading (else null).
     */
    static ShardedDataset generate(org.apache.spark.api.java.JavaSparkContext jsc, int partitions, long[] knownRows,
                                   org.apache.spark.api.java.function.Function<Integer, RowSource> sourceFor,
                                   int featureWidth, int targetWidth, ReadOptions options, String source) {
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < partitions; i++) {
            ids.add(i);
        }
        // One id per slice, so a partition's index is its id; blocks are built lazily as Spark pulls them.
        JavaRDD<ExampleBlock> rdd = jsc.parallelize(ids, partitions).mapPartitionsWithIndex((index, it) ->
                new Packer(sourceFor.call(index), featureWidth, targetWidth, options.storage(), options.blockRows(),
                        options.policy()), true);
        return new ShardedDataset(rdd, featureWidth, targetWidth, options, source,
                knownRows == null ? null : knownRows.clone());
    }
}
