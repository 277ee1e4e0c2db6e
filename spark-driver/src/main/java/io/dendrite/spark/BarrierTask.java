package io.dendrite.spark;

import io.dendrite.core.step.GradientAccumulator;
import io.dendrite.ps.ParameterClient;
import io.dendrite.ps.Rendezvous;
import io.dendrite.ps.RunKeys;
import io.dendrite.ps.TreeNode;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.TaskContext;
import scala.collection.JavaConverters;
import scala.runtime.AbstractFunction2;

/**
 * A long-lived task of the barrier mode: it owns one group of cached shards for a whole epoch and loops
 * over steps. The stage's tasks form a tree ({@link TreeNode}, at most {@code fanOut} children each,
 * addresses exchanged through the driver's {@link Rendezvous}); the root talks to the driver's parameter
 * server.
 * Each step a task passes the weights on to its children as they arrive, computes its shards on its cores
 * ({@link ShardCompute}), merges its children's results and sends the sum up. It stops when the server
 * ends the stage, at a deadline, or as soon as Spark kills it.
 */
final class BarrierTask extends AbstractFunction2<Object, scala.collection.Iterator<ShardGroupRDD.Shard>,
        scala.collection.Iterator<Long>> implements Serializable {
    private static final long serialVersionUID = 1L;

    private final PartitionShare share;
    private final String host;
    private final int port;
    private final int rendezvousPort;
    private final RunKeys keys;
    private final int stage;
    private final int epoch;
    private final int fanOut;
    private final long connectMillis;
    private final long stepMillis;

    BarrierTask(PartitionShare share, String host, int port, int rendezvousPort, RunKeys keys, int stage, int epoch,
                int fanOut, long connectMillis, long stepMillis) {
        this.share = share;
        this.host = host;
        this.port = port;
        this.rendezvousPort = rendezvousPort;
        this.keys = keys;
        this.stage = stage;
        this.epoch = epoch;
        this.fanOut = fanOut;
        this.connectMillis = connectMillis;
        this.stepMillis = stepMillis;
    }

    @Override
    public scala.collection.Iterator<Long> apply(Object group, scala.collection.Iterator<ShardGroupRDD.Shard> shards) {
        int g = (Integer) group;
        // Not BarrierTaskContext.get(): that initialises its companion object, whose non-daemon timer thread
        // (Spark 3.5) would outlive the fit in a local-mode driver and keep a user's JVM from exiting.
        BarrierTaskContext context = (BarrierTaskContext) TaskContext.get();
        int attempt = context.stageAttemptNumber();
        List<ShardGroupRDD.Shard> mine = new ArrayList<>();
        JavaConverters.asJavaIterator(shards).forEachRemaining(mine::add);
        ShardCompute compute = new ShardCompute(share, mine, context.cpus());
        int tasks = context.getTaskInfos().length;
        String address = context.getTaskInfos()[g].address();
        String myHost = address.substring(0, address.lastIndexOf(':'));
        long steps = 0;
        try (TreeNode node = TreeNode.listen(myHost, share.parameters(), share.partitions(), stepMillis)) {
            String[] addresses = Rendezvous.exchange(host, rendezvousPort, keys, g, attempt, stage, node.address(),
                    connectMillis, stepMillis, context::isInterrupted);
            int parent = TreeNode.parent(g, tasks, fanOut);
            try (TreeNode.Upstream up = parent < 0
                    ? TreeNode.driver(ParameterClient.connect(host, port, keys, 0, attempt, stage,
                            share.parameters(), connectMillis, stepMillis, context::isInterrupted))
                    : TreeNode.connectToParent(addresses[parent], keys, g, attempt, stage, share.parameters(),
                            share.partitions(), connectMillis, stepMillis)) {
                node.acceptChildren(TreeNode.children(g, tasks, fanOut), keys, attempt, stage, connectMillis,
                        context::isInterrupted);
                while (true) {
                    node.beginStep();
                    TreeNode.Work work = up.next(node);
                    if (work == null) {
                        break;
                    }
                    GradientAccumulator own = compute.step(epoch, work.stepInEpoch(), work.step(), work.weights());
                    long[] bytes = node.collect(work.step(), own);
                    up.send(work.step(), own, bytes[0], bytes[1]);
                    steps++;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("group " + g + " (shards " + mine.get(0).index() + "–"
                    + mine.get(mine.size() - 1).index() + "), stage attempt " + attempt + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("group " + g + ", stage attempt " + attempt + ": " + e.getMessage(), e);
        }
        return JavaConverters.asScalaIterator(List.of(steps).iterator());
    }
}
