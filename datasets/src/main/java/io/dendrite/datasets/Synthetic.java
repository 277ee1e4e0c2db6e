package io.dendrite.datasets;

import io.dendrite.core.util.Checks;
import io.dendrite.core.util.Rng;
import java.io.Serializable;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * Synthetic data for scale: features {@code N(0, 1)}, targets from a random teacher MLP
 * ({@code width → hidden tanh → outputs}), with Gaussian noise. Generated on the executors, row by row,
 * deterministic per {@code (seed, partition)}; the driver never holds any of it, so row counts are
 * bounded only by the cluster (partition {@code p} of {@code P} makes rows
 * {@code [rows·p/P, rows·(p+1)/P)}).
 */
public final class Synthetic {
    private static final long TEACHER_STREAM = 1;
    private static final long ROW_STREAM = 2;

    private Synthetic() {
    }

    /**
     * What to generate: {@code outputs} classes (classification: the label is the argmax of the noisy
     * teacher output) or regression outputs (the noisy teacher output itself).
     */
    public record Spec(long rows, int width, int outputs, boolean classification, int hidden, float noise, long seed,
                       int partitions) implements Serializable {
        /** Validates. */
        public Spec {
            Checks.checkArgument(rows >= 1, "synthetic rows must be >= 1 but was %s", rows);
            Checks.atLeast("synthetic width", width, 1);
            Checks.atLeast("synthetic outputs", outputs, classification ? 2 : 1);
            Checks.atLeast("synthetic hidden units", hidden, 1);
            Checks.nonNegative("synthetic noise", noise);
            Checks.atLeast("synthetic partitions", partitions, 1);
        }

        /** The first row partition {@code p} makes. */
        long start(int p) {
            return p == partitions ? rows : (long) ((double) rows * p / partitions);
        }

        /** The row after the last that partition {@code p} makes. */
        long end(int p) {
            return start(p + 1);
        }
    }

    /** Generates {@code spec} as packed blocks (not cached). */
    public static ShardedDataset generate(JavaSparkContext jsc, Spec spec, ReadOptions options) {
        int targetWidth = spec.classification() ? 1 : spec.outputs();
        long[] rows = new long[spec.partitions()];
        for (int p = 0; p < rows.length; p++) {
            rows[p] = spec.end(p) - spec.start(p);
        }
        return ShardedDataset.generate(jsc, spec.partitions(), rows, p -> new TeacherSource(spec, p), spec.width(),
                targetWidth, options, "synthetic " + spec);
    }

    /** One partition's rows. */
    private static final class TeacherSource implements RowSource {
        private final Spec spec;
        private final float[] w1;
        private final float[] b1;
        private final float[] w2;
        private final float[] hiddenOut;
        private final float[] out;
        private final Rng rng;
        private long left;
        private long row;

        TeacherSource(Spec spec, int partition) {
            this.spec = spec;
            Rng teacher = new Rng(Rng.derive(spec.seed(), TEACHER_STREAM));
            w1 = gaussian(spec.width() * spec.hidden(), 1.0 / Math.sqrt(spec.width()), teacher);
            b1 = gaussian(spec.hidden(), 0.1, teacher);
            w2 = gaussian(spec.hidden() * spec.outputs(), 1.0 / Math.sqrt(spec.hidden()), teacher);
            hiddenOut = new float[spec.hidden()];
            out = new float[spec.outputs()];
            left = spec.end(partition) - spec.start(partition);
            row = spec.start(partition);
            rng = new Rng(Rng.derive(spec.seed(), ROW_STREAM, partition));
        }

        private static float[] gaussian(int n, double std, Rng rng) {
            float[] a = new float[n];
            for (int i = 0; i < n; i++) {
                a[i] = (float) (std * rng.nextGaussian());
            }
            return a;
        }

        @Override
        public boolean next(float[] x, float[] y) {
            if (left == 0) {
                return false;
            }
            left--;
            row++;
            int w = spec.width();
            int h = spec.hidden();
            rng.fillGaussian(x, 0, w);
            for (int j = 0; j < h; j++) {
                float s = b1[j];
                for (int c = 0; c < w; c++) {
                    s += x[c] * w1[c * h + j];
                }
                hiddenOut[j] = (float) StrictMath.tanh(s); // the same labels on every JVM
            }
            int best = 0;
            for (int o = 0; o < spec.outputs(); o++) {
                float s = 0;
                for (int j = 0; j < h; j++) {
                    s += hiddenOut[j] * w2[j * spec.outputs() + o];
                }
                out[o] = s + spec.noise() * (float) rng.nextGaussian();
                if (out[o] > out[best]) {
                    best = o;
                }
            }
            if (spec.classification()) {
                y[0] = best;
            } else {
                System.arraycopy(out, 0, y, 0, spec.outputs());
            }
            return true;
        }

        @Override
        public String where() {
            return "synthetic row " + (row - 1);
        }
    }
}
