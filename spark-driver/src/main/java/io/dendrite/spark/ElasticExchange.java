package io.dendrite.spark;

import io.dendrite.core.step.Steps;
import io.dendrite.datasets.ExampleBlock;
import io.dendrite.ps.ElasticServer;
import io.dendrite.ps.RunKeys;
import io.dendrite.ps.ServerSettings;
import io.dendrite.ps.ServerUnreachableException;
import java.io.IOException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaFutureAction;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import scala.reflect.ClassTag$;

/**
 * Elastic mode: an {@link ElasticServer} on the driver and one ordinary Spark stage per epoch whose
 * {@link ElasticTask}s, one per group of shards, connect to it directly. Each step the server assigns every
 * shard to a running task; when a task is lost, only its unfinished shards are computed again (by the tasks
 * left, at once), Spark relaunches that one task, and the relaunch takes its shards back. No stage restarts
 * and nothing waits for a gang of slots, so it runs with dynamic allocation: with it, the stage has a task
 * per shard (up to the executors allowed), which is Spark's cue to ask for executors, and the tasks that
 * have not started yet have their shards computed by those that have.
 */
final class ElasticExchange implements Steps {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ElasticExchange.class);
    private static final String STEPS_RDD = "dendrite-elastic-";
    /** How long the tasks told to end get to return before the rest of the stage is cancelled. */
    private static final long RETURN_MILLIS = 500;
    private final JavaSparkContext jsc;
    private JavaRDD<ExampleBlock> blocks;
    private final PartitionShare share;
    private final StepTransport transport;
    private final ElasticServer server;
    private final RunKeys keys;
    private final CachePlacement placement;
    private final boolean dynamic;
    private final int wanted;
    /** This run's stages' RDD names: the prefix and a number of its own, then the stage. */
    private final String stepsRdd = STEPS_RDD + LongLivedRuns.nextNumber() + "-";
    /** Reports to the server each task attempt Spark launches and ends, and keeps the first real failure. */
    private final LongLivedStages.Watch watch = new LongLivedStages.Watch(stepsRdd, new LongLivedStages.Watch.Launches() {
        @Override
        public void taskLaunched(int stage, int index, int attempt) {
            server.taskLaunched(stage, index, attempt);
        }

        @Override
        public void taskEnded(int stage, int index, int attempt) {
            server.taskEnded(stage, index, attempt);
        }

        @Override
        public void executorAdded(String id, String host) {
            LOG.info("elastic mode: executor {} joined on {}", id, host);
        }

        @Override
        public void executorRemoved(String id, String reason) {
            LOG.warn("elastic mode: executor {} left ({}); its tasks' shards go to the tasks left", id, reason);
        }
    });
    private final String claim = "elastic-mode run " + stepsRdd;
    private final Supplier<RuntimeException> failureCheck = this::failure;
    private int stage = -1;
    private int epoch;
    private boolean ending;
    private JavaFutureAction<Long> running;

    private ElasticExchange(JavaSparkContext jsc, JavaRDD<ExampleBlock> blocks, PartitionShare share,
                            StepTransport transport, ElasticServer server, RunKeys keys, CachePlacement placement,
                            boolean dynamic, int wanted) {
        this.jsc = jsc;
        this.blocks = blocks;
        this.share = share;
        this.transport = transport;
        this.server = server;
        this.keys = keys;
        this.placement = placement;
        this.dynamic = dynamic;
        this.wanted = wanted;
        LongLivedRuns.claim(jsc.sc(), claim);
        jsc.sc().addSparkListener(watch);
    }

    /**
     * Asks for the executors the run wants (with dynamic allocation) and waits for task slots within the
     * slots timeout, saying how many came; then starts the server.
     */
    static ElasticExchange open(JavaSparkContext jsc, JavaRDD<ExampleBlock> blocks, PartitionShare share,
                                StepTransport transport, CachePlacement placement) {
        SparkConf conf = jsc.getConf();
        boolean dynamic = conf.getBoolean("spark.dynamicAllocation.enabled", false) && !jsc.isLocal();
        int wanted = share.partitions();
        if (dynamic) {
            int cores = conf.getInt("spark.executor.cores", 1) / Math.max(1, conf.getInt("spark.task.cpus", 1));
            long most = (long) conf.getInt("spark.dynamicAllocation.maxExecutors", Integer.MAX_VALUE) * Math.max(1, cores);
            wanted = (int) Math.min(wanted, most);
        }
        long started = System.nanoTime();
        LongLivedStages.awaitSlots(jsc, "elastic", wanted, transport.slotsMillis());
        int granted = LongLivedStages.slots(jsc);
        if (!jsc.isLocal() && granted < wanted) {
            LOG.warn("elastic mode: {} task slots wanted, {} granted after {} ms; going on with those (the shards of "
                    + "tasks without a slot are computed by the running ones until executors join)", wanted, granted,
                    (System.nanoTime() - started) / 1_000_000);
        }
        RunKeys keys = LongLivedStages.runKeys(conf);
        ServerSettings settings = LongLivedStages.serverSettings(conf, transport);
        try {
            ElasticServer server = ElasticServer.start(settings, keys, share.partitions(), share.parameters());
            try {
                return new ElasticExchange(jsc, blocks, share, transport, server, keys, placement, dynamic, wanted);
            } catch (RuntimeException e) {
                server.close();
                throw e;
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the elastic server: " + e.getMessage() + "; set "
                    + "training.parameter_server.bind_address, port or port_retries, or use training.mode: job", e);
        }
    }

    @Override
    public String traffic() {
        return keys.isEncrypted() ? "tls1.3" : "hmac";
    }

    /** The shard-steps computed again because their task was lost. */
    @Override
    public void describe(java.util.Map<String, Object> summary) {
        summary.put("recomputed_shard_steps", server.recomputedShardSteps());
    }

    @Override
    public void beginEpoch(int epochNumber) {
        epoch = epochNumber;
        ending = false;
        watch.newEpoch();
        // Executors that joined take shards over here, and those that left hand theirs back: a task per slot
        // (per wanted slot with dynamic allocation, so that Spark asks for the executors), each over a
        // contiguous run of shards placed on its executor.
        int tasks = Math.max(1, Math.min(share.partitions(), dynamic ? wanted : LongLivedStages.slots(jsc)));
        int[][] groups = LongLivedStages.contiguous(share.partitions(), tasks);
        CachePlacement.Placed placed = placement.placeGroups(blocks, groups);
        blocks = placed.blocks();
        server.beginStage(++stage, groups);
        ElasticTask task = new ElasticTask(share, blocks.rdd(), server.host(), server.port(), keys, stage, epoch,
                transport.connectMillis(), transport.stepMillis());
        JavaRDD<Long> steps = ShardGroupRDD.forBarrier(blocks.rdd(), groups, placed.locations(), null)
                .mapPartitionsWithIndex(task, true, ClassTag$.MODULE$.apply(Long.class)).toJavaRDD()
                .setName(stepsRdd + stage);
        jsc.setJobDescription("Dendrite elastic stage, epoch " + (epoch + 1));
        running = steps.countAsync();
        jsc.setJobDescription(null);
    }

    @Override
    public Result step(int epochNumber, long stepInEpoch, long step, float[] weights) {
        ElasticServer.Exchanged e = server.exchange(step, stepInEpoch, weights, failureCheck);
        if (e.recomputed() > 0) {
            LOG.warn("elastic mode: step {} recomputed {} shard(s) of a lost task (only those); {} shard-steps so far",
                    step, e.recomputed(), server.recomputedShardSteps());
        }
        return e.result();
    }

    @Override
    public void endEpoch() {
        ending = true;
        // Every step of the epoch is applied once the server has ended the stage. A task not connected then
        // holds nothing (it has no slot yet, or is still starting on a new executor), so the stage is
        // cancelled as soon as the connected ones have finished, not waited for.
        server.endStage(() -> running.isDone() || !server.anyTaskConnected(), failureCheck);
        try {
            running.get(RETURN_MILLIS, TimeUnit.MILLISECONDS); // the ended tasks returning
        } catch (TimeoutException | ExecutionException | CancellationException e) {
            // still running: cancelled below; failed: said below
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LongLivedStages.finish(running, failureCheck, () -> LOG.info("elastic mode: cancelled the tasks of epoch {}'s "
                + "stage that were not connected when it ended", epoch + 1));
        running = null;
    }

    @Override
    public void close() {
        LongLivedStages.release(jsc, running, blocks, watch, claim, server::close);
    }

    /** Why the run cannot go on, or null while it can. */
    private RuntimeException failure() {
        if (watch.unreachable() != null) {
            String report = watch.unreachable();
            String detail = report.substring(report.indexOf(ServerUnreachableException.MESSAGE_START));
            return new IllegalStateException("executors cannot reach the driver's elastic server at " + server.host()
                    + ":" + server.port() + ": " + detail.lines().findFirst().orElse(detail) + ". Set "
                    + "training.parameter_server.host to a driver address the executors can reach, open the port, or "
                    + "use training.mode: job");
        }
        IllegalArgumentException badInput = watch.badInput(epoch);
        if (badInput != null) {
            return badInput;
        }
        if (running == null || !running.isDone()) {
            return null;
        }
        try {
            running.get();
            return ending ? null : new IllegalStateException("the elastic stage of epoch " + (epoch + 1)
                    + " ended before the server ended it");
        } catch (ExecutionException e) {
            return new IllegalStateException("the elastic stage of epoch " + (epoch + 1) + " failed: "
                    + (watch.firstFailure() != null ? watch.firstFailure() : String.valueOf(e.getCause().getMessage())),
                    e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new IllegalStateException("interrupted while checking the elastic stage", e);
        }
    }
}
