package io.dendrite.spark;

import io.dendrite.core.step.GradientAccumulator;
import io.dendrite.datasets.ExampleBlock;
import io.dendrite.ps.ElasticClient;
import io.dendrite.ps.RunKeys;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.Partition;
import org.apache.spark.TaskContext;
import org.apache.spark.rdd.RDD;
import scala.collection.JavaConverters;
import scala.runtime.AbstractFunction2;

/**
 * A long-lived task of the elastic mode: the task of one group of shards for a whole epoch, connected to
 * the driver's {@link io.dendrite.ps.ElasticServer}. Each step it computes the shards the server gives it,
 * usually its own group's; when another task is lost or has not started, it is given that task's shards
 * too and reads them as any reader of the cached shards does (from the executor holding them, or
 * recomputed from their source), keeping them for later steps. It ends when the server ends the stage, at
 * a deadline, or as soon as Spark kills it.
 */
final class ElasticTask extends AbstractFunction2<Object, scala.collection.Iterator<ShardGroupRDD.Shard>,
        scala.collection.Iterator<Long>> implements Serializable {
    private static final long serialVersionUID = 1L;

    private final PartitionShare share;
    private final RDD<ExampleBlock> shards;
    private final Partition[] shardPartitions;
    private final String host;
    private final int port;
    private final RunKeys keys;
    private final int stage;
    private final int epoch;
    private final long connectMillis;
    private final long stepMillis;

    ElasticTask(PartitionShare share, RDD<ExampleBlock> shards, String host, int port, RunKeys keys, int stage,
                int epoch, long connectMillis, long stepMillis) {
        this.share = share;
        this.shards = shards;
        this.shardPartitions = shards.partitions();
        this.host = host;
        this.port = port;
        this.keys = keys;
        this.stage = stage;
        this.epoch = epoch;
        this.connectMillis = connectMillis;
        this.stepMillis = stepMillis;
    }

    @Override
    public scala.collection.Iterator<Long> apply(Object group, scala.collection.Iterator<ShardGroupRDD.Shard> own) {
        int g = (Integer) group;
        TaskContext context = TaskContext.get();
        int attempt = context.attemptNumber();
        Map<Integer, ShardRows> rows = new HashMap<>();
        List<ShardGroupRDD.Shard> mine = new ArrayList<>();
        JavaConverters.asJavaIterator(own).forEachRemaining(s -> {
            rows.put(s.index(), s.rows());
            mine.add(s);
        });
        // The task's own shards are read and the kernel warmed up before it joins: a task relaunched mid-epoch
        // takes its shards back only when it can compute them at full speed.
        Map<String, ShardCompute> computes = new HashMap<>();
        computes.put(Arrays.toString(mine.stream().mapToInt(ShardGroupRDD.Shard::index).toArray()),
                new ShardCompute(share, mine, context.cpus()));
        long shardSteps = 0;
        try (ElasticClient client = ElasticClient.connect(host, port, keys, g, attempt, stage, share.parameters(),
                connectMillis, stepMillis, context::isInterrupted)) {
            for (ElasticClient.Assignment a = client.next(); a != null; a = client.next()) {
                int[] given = a.shards();
                ShardCompute compute = computes.computeIfAbsent(Arrays.toString(given),
                        k -> new ShardCompute(share, shardsOf(given, rows, context), context.cpus()));
                GradientAccumulator result = compute.step(epoch, a.stepInEpoch(), a.step(), a.weights());
                client.send(a.step(), result);
                shardSteps += a.shards().length;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("elastic task " + g + ", attempt " + attempt + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("elastic task " + g + ", attempt " + attempt + ": " + e.getMessage(), e);
        }
        return JavaConverters.asScalaIterator(List.of(shardSteps).iterator());
    }

    /** The rows of {@code indices}, reading (and keeping) those of other groups' shards. */
    private List<ShardGroupRDD.Shard> shardsOf(int[] indices, Map<Integer, ShardRows> rows, TaskContext context) {
        List<ShardGroupRDD.Shard> out = new ArrayList<>();
        for (int s : indices) {
            ShardRows r = rows.computeIfAbsent(s, k -> ExecutorScratch.Rows.of(
                    JavaConverters.asJavaIterator(shards.iterator(shardPartitions[k], context))));
            out.add(new ShardGroupRDD.Shard(s, r));
        }
        return out;
    }
}
