package io.dendrite.spark;

import io.dendrite.core.data.FeatureScaler;
import io.dendrite.core.loss.Loss;
import io.dendrite.core.loss.LossStats;
import io.dendrite.core.nn.NetworkSpec;
import io.dendrite.datasets.ExampleBlock;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.broadcast.Broadcast;

/**
 * Loss and correct count of a whole partition with dropout off, block by block through the kernel.
 * Partition results are added on the driver in partition order, so the figure does not depend on which
 * task finished first.
 */
final class EvaluationTask implements Function2<Integer, Iterator<ExampleBlock>, Iterator<double[]>> {
    private static final long serialVersionUID = 1L;

    private final Broadcast<float[]> weights;
    private final NetworkSpec spec;
    private final Loss loss;
    private final FeatureScaler scaler;

    EvaluationTask(Broadcast<float[]> weights, NetworkSpec spec, Loss loss, FeatureScaler scaler) {
        this.weights = weights;
        this.spec = spec;
        this.loss = loss;
        this.scaler = scaler;
    }

    /** The loss statistics of {@code blocks} under the published weights. */
    static LossStats run(JavaRDD<ExampleBlock> blocks, EvaluationTask task) {
        List<double[]> parts = blocks.mapPartitionsWithIndex(task, true).collect();
        LossStats total = LossStats.EMPTY;
        for (double[] p : parts) { // collect() keeps partition order
            total = total.plus(new LossStats(p[1], (long) p[2], (long) p[3]));
        }
        return total;
    }

    @Override
    public Iterator<double[]> call(Integer partition, Iterator<ExampleBlock> blocks) {
        ExecutorScratch s = ExecutorScratch.get(spec, loss);
        float[] w = weights.value();
        LossStats stats = LossStats.EMPTY;
        while (blocks.hasNext()) {
            ExampleBlock b = blocks.next();
            if (b.rows() == 0) {
                continue;
            }
            float[] x = b.featuresAsFloat();
            if (scaler.kind() != FeatureScaler.Kind.NONE) {
                x = b.isUint8() ? x : x.clone(); // cached blocks are never written to
                scaler.transformInPlace(x, 0, b.rows());
            }
            stats = stats.plus(s.network.evaluate(w, x, 0, b.targets(), 0, b.targetWidth(), b.rows(), s.workspace));
        }
        return List.of(new double[] {partition, stats.lossSum(), stats.count(), stats.correct()}).iterator();
    }
}
