package io.dendrite.spark;

import io.dendrite.core.loss.LossStats;
import io.dendrite.datasets.ExampleBlock;
import io.dendrite.ps.ParameterClient;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.BarrierTaskContext;
import scala.collection.JavaConverters;
import scala.runtime.AbstractFunction2;

/**
 * A long-lived task of the barrier mode: it owns one cached partition for a whole epoch and loops over
 * steps, taking the weights of each from the parameter server and answering with its
 * {@link PartitionShare}, until the server ends the stage. Buffers are reused, so a step allocates little.
 * It stops at the server's deadline or as soon as Spark kills it.
 */
final class BarrierTask extends AbstractFunction2<Object, scala.collection.Iterator<ExampleBlock>,
        scala.collection.Iterator<Long>> implements Serializable {
    private static final long serialVersionUID = 1L;

    private final PartitionShare share;
    private final String host;
    private final int port;
    private final byte[] secret;
    private final int stage;
    private final int epoch;
    private final long connectMillis;
    private final long stepMillis;

    BarrierTask(PartitionShare share, String host, int port, byte[] secret, int stage, int epoch, long connectMillis,
                long stepMillis) {
        this.share = share;
        this.host = host;
        this.port = port;
        this.secret = secret;
        this.stage = stage;
        this.epoch = epoch;
        this.connectMillis = connectMillis;
        this.stepMillis = stepMillis;
    }

    @Override
    public scala.collection.Iterator<Long> apply(Object partition, scala.collection.Iterator<ExampleBlock> blocks) {
        int p = (Integer) partition;
        BarrierTaskContext context = BarrierTaskContext.get();
        ExecutorScratch.Rows rows = ExecutorScratch.Rows.of(JavaConverters.asJavaIterator(blocks));
        share.checkRows(rows, p);
        share.warmUp(rows, p);
        float[] grad = new float[share.parameters()];
        long steps = 0;
        try (ParameterClient server = ParameterClient.connect(host, port, secret, p, context.stageAttemptNumber(),
                stage, share.parameters(), connectMillis, stepMillis, context::isInterrupted)) {
            ParameterClient.Work work;
            while ((work = server.next()) != null) {
                long started = System.nanoTime();
                Arrays.fill(grad, 0f);
                LossStats stats = share.accumulate(rows, p, epoch, work.stepInEpoch(), work.step(), work.weights(),
                        grad);
                server.send(work.step(), grad, stats, System.nanoTime() - started);
                steps++;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("partition " + p + ", stage attempt " + context.stageAttemptNumber() + ": "
                    + e.getMessage(), e);
        }
        return JavaConverters.asScalaIterator(List.of(steps).iterator());
    }
}
