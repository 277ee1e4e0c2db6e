package io.dendrite.spark;

import io.dendrite.core.step.Steps;
import io.dendrite.datasets.ExampleBlock;
import io.dendrite.ps.ParameterServer;
import io.dendrite.ps.Rendezvous;
import io.dendrite.ps.RunKeys;
import io.dendrite.ps.ServerSettings;
import io.dendrite.ps.ServerUnreachableException;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaFutureAction;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import scala.Tuple2;
import scala.reflect.ClassTag$;

/**
 * Barrier mode: a {@link ParameterServer} on the driver and one Spark barrier stage per epoch whose
 * {@link BarrierTask}s, one per task slot (at most one per shard) over contiguous runs of shards, loop over
 * the epoch's steps in a tree through the executors whose root alone talks to the server. Spark relaunches
 * the whole stage when a task dies; the server then hands the new tasks the step in progress, so the run
 * continues from the last completed step. When executors are lost for good mid-epoch, the stage is
 * restarted over the slots left (Spark would wait for the lost ones, then give up); with no slot left the
 * run fails in one line. Before anything starts it refuses what would otherwise fail late: encryption
 * asked of Spark (this transport has none) and dynamic allocation.
 */
final class BarrierExchange implements Steps {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(BarrierExchange.class);
    /** The name of a stage's barrier RDD, before the stage's number: how the listener finds its attempts. */
    private static final String STEPS_RDD = "dendrite-steps-";
    private final JavaSparkContext jsc;
    private JavaRDD<ExampleBlock> blocks;
    private final PartitionShare share;
    private final StepTransport transport;
    private final ParameterServer server;
    private final Rendezvous rendezvous;
    private final RunKeys keys;
    private final CachePlacement placement;
    private final ShardGroupRDD.Streamed streamed;
    /** This run's stages' RDD names: the prefix and a number of its own, then the stage. */
    private final String stepsRdd = STEPS_RDD + LongLivedRuns.nextNumber() + "-";
    /**
     * Tells the server and the rendezvous each attempt Spark launches of a stage (they accept tasks of those
     * only: a task's claim alone is not enough), and keeps the failures and the executors lost.
     */
    private final LongLivedStages.Watch watch = new LongLivedStages.Watch(stepsRdd, new LongLivedStages.Watch.Launches() {
        @Override
        public void stageLaunched(int stage, int attempt) {
            server.attemptLaunched(stage, attempt);
            rendezvous.attemptLaunched(stage, attempt);
        }
    });
    private final String claim = "barrier-mode run " + stepsRdd;
    private int[][] groups;
    private final Supplier<RuntimeException> failureCheck = this::failure;
    private int stage = -1;
    private int lostAtStart;
    /** Since when (nanoTime) executors were lost mid-stage and no task slot is left; 0 while there is one. */
    private long noSlotsSince;
    private int epoch;
    private boolean ending;
    /** Whether the current stage has completed a step (said once in the log: its tasks are all running). */
    private boolean stepping;
    private JavaFutureAction<Long> running;

    private BarrierExchange(JavaSparkContext jsc, JavaRDD<ExampleBlock> blocks, PartitionShare share,
                            StepTransport transport, ParameterServer server, Rendezvous rendezvous, RunKeys keys,
                            CachePlacement placement, ShardGroupRDD.Streamed streamed) {
        this.jsc = jsc;
        this.streamed = streamed;
        this.rendezvous = rendezvous;
        this.placement = placement;
        this.blocks = blocks;
        this.share = share;
        this.transport = transport;
        this.server = server;
        this.keys = keys;
        LongLivedRuns.claim(jsc.sc(), claim);
        jsc.sc().addSparkListener(watch);
    }

    /**
     * Checks the cluster, then starts the server (to which the root task alone connects). The shards are
     * cached, or read as streams by the tasks when {@code streamed} is not null.
     */
    static BarrierExchange open(JavaSparkContext jsc, JavaRDD<ExampleBlock> blocks, PartitionShare share,
                                StepTransport transport, CachePlacement placement, ShardGroupRDD.Streamed streamed) {
        SparkConf conf = jsc.getConf();
        refuseUnsupported(conf);
        LongLivedStages.awaitSlots(jsc, "barrier", share.partitions(), transport.slotsMillis());
        RunKeys keys = LongLivedStages.runKeys(conf);
        ServerSettings settings = LongLivedStages.serverSettings(conf, transport);
        try {
            ParameterServer server = ParameterServer.start(settings, keys, 1, share.parameters());
            Rendezvous rendezvous;
            try {
                rendezvous = Rendezvous.start(settings, keys, server.port());
            } catch (IOException | RuntimeException e) {
                server.close();
                throw e;
            }
            try {
                return new BarrierExchange(jsc, blocks, share, transport, server, rendezvous, keys, placement, streamed);
            } catch (RuntimeException e) {
                rendezvous.close();
                server.close();
                throw e;
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the parameter server: " + e.getMessage() + "; set "
                    + "training.parameter_server.bind_address, port or port_retries, or use training.mode: job", e);
        }
    }

    @Override
    public String traffic() {
        return keys.isEncrypted() ? "tls1.3" : "hmac";
    }

    @Override
    public void beginEpoch(int epochNumber) {
        epoch = epochNumber;
        ending = false;
        watch.newEpoch();
        startStage(Math.max(1, Math.min(share.partitions(), LongLivedStages.slots(jsc))));
    }

    /** Starts a barrier stage of {@code tasks} tasks for the current epoch. */
    private void startStage(int tasks) {
        server.beginStage(++stage);
        stepping = false;
        lostAtStart = watch.lost().size();
        noSlotsSince = 0;
        groups = LongLivedStages.contiguous(share.partitions(), tasks);
        // Streamed shards are read wherever their task runs; only cached ones are moved to it.
        CachePlacement.Placed placed = streamed != null ? new CachePlacement.Placed(blocks, new String[groups.length])
                : placement.placeGroups(blocks, groups);
        blocks = placed.blocks();
        rendezvous.expect(stage, groups.length);
        BarrierTask task = new BarrierTask(share, server.host(), server.port(), rendezvous.port(), keys, stage, epoch,
                transport.fanOut(), transport.connectMillis(), transport.stepMillis());
        JavaRDD<Long> steps = ShardGroupRDD.forBarrier(blocks.rdd(), groups, placed.locations(), streamed).barrier()
                .mapPartitionsWithIndex(task, true, ClassTag$.MODULE$.apply(Long.class)).toJavaRDD()
                .setName(stepsRdd + stage);
        jsc.setJobDescription("Dendrite barrier stage, epoch " + (epoch + 1));
        // Spark relaunches a failed barrier stage only when it is a map stage (a failed barrier result stage
        // aborts the job), so the steps end in a one-partition shuffle.
        running = steps.mapToPair(n -> new Tuple2<>(0, n)).reduceByKey(Long::sum, 1).countAsync();
        jsc.setJobDescription(null);
    }

    @Override
    public Result step(int epochNumber, long stepInEpoch, long step, float[] weights) {
        while (true) {
            try {
                Result e = server.exchange(step, stepInEpoch, weights, failureCheck);
                if (!stepping) {
                    stepping = true;
                    LOG.info("barrier mode: stage {} of epoch {} is stepping ({} tasks)", stage, epoch + 1,
                            groups.length);
                }
                return e;
            } catch (SlotsLost lost) {
                // Spark would wait for the lost slots to come back and then give up; go on with the slots
                // left instead. The step is recomputed from the same weights, and the grouping does not
                // change the bits.
                running.cancel(true);
                LOG.warn("barrier mode: {} in epoch {}; continuing at step {} with {} task(s) over the slots left",
                        lost.getMessage(), epoch + 1, step, lost.slots);
                startStage(lost.slots);
            }
        }
    }

    /** Executors were lost and fewer slots are left than the stage has tasks, but some are. */
    private static final class SlotsLost extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int slots;

        SlotsLost(String lost, int slots) {
            super("lost " + lost, null, false, false);
            this.slots = slots;
        }
    }

    @Override
    public void endEpoch() {
        ending = true;
        // Every step of the epoch is applied once the server has ended the stage; the job's own end only
        // frees the slots. If an executor holding a finished task's output was lost, Spark would rerun the
        // whole barrier stage for that output, and with fewer slots than tasks it would wait for ever.
        long deadline = System.nanoTime() + transport.connectMillis() * 1_000_000;
        server.endStage(() -> running.isDone() || System.nanoTime() - deadline > 0, failureCheck);
        LongLivedStages.finish(running, failureCheck, () -> LOG.warn("barrier mode: the stage of epoch {} had not "
                + "ended {} ms after its last step (Spark recomputing a lost executor's task output); cancelled it",
                epoch + 1, transport.connectMillis()));
        running = null;
    }

    @Override
    public void close() {
        LongLivedStages.release(jsc, running, blocks, watch, claim, server::close, rendezvous::close);
    }

    /** Why the stage cannot go on, or null while it can. */
    private RuntimeException failure() {
        Throwable rendezvousFailure = rendezvous.acceptFailure();
        if (rendezvousFailure != null) {
            // No task of a new stage attempt could find its neighbours in the tree: fail now, with the cause.
            return new IllegalStateException("the step tree's rendezvous stopped accepting connections: "
                    + rendezvousFailure, rendezvousFailure);
        }
        if (watch.unreachable() != null) {
            return unreachable(watch.unreachable());
        }
        IllegalArgumentException badInput = watch.badInput(epoch);
        if (badInput != null) {
            return badInput;
        }
        List<String> lost = watch.lost();
        if (lost.size() > lostAtStart && !ending) {
            int slots = LongLivedStages.slots(jsc);
            if (slots > 0 && slots < groups.length) {
                return new SlotsLost(String.join(", ", lost.subList(lostAtStart, lost.size())), slots);
            }
            // With no slot at all, a stage Spark relaunches for its lost tasks waits for executors for ever (its
            // slot check runs only when a job is submitted): wait the slots timeout for one, then fail.
            if (slots > 0) {
                noSlotsSince = 0;
            } else if (noSlotsSince == 0) {
                noSlotsSince = System.nanoTime();
            } else if (System.nanoTime() - noSlotsSince > transport.slotsMillis() * 1_000_000) {
                return slotsGone();
            }
        }
        if (running == null || !running.isDone()) {
            return null;
        }
        try {
            running.get();
            return ending ? null : new IllegalStateException("the barrier stage of epoch " + (epoch + 1)
                    + " ended before the parameter server ended it");
        } catch (ExecutionException e) {
            String message = String.valueOf(e.getCause().getMessage());
            if (message.contains(ServerUnreachableException.MESSAGE_START)) {
                return unreachable(message);
            }
            if (message.contains("SPARK-24819")) {
                // Spark's barrier slot check gave up (spark.scheduler.barrier.maxConcurrentTasksCheck.*):
                // an executor was lost and nothing replaced it.
                return slotsGone();
            }
            String spark = message.lines().findFirst().orElse("");
            return new IllegalStateException("the barrier stage of epoch " + (epoch + 1) + " failed: "
                    + (watch.firstFailure() != null ? "first " + watch.firstFailure() + " (Spark: " + spark + ")" : spark),
                    e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new IllegalStateException("interrupted while checking the barrier stage", e);
        }
    }

    /** Executors were lost and the stage cannot run: one line saying so, and what to do. */
    private IllegalArgumentException slotsGone() {
        return new IllegalArgumentException(String.format("training.mode: barrier lost task slots in epoch %d: every "
                + "task of the stage runs at once, so it needs %d slots, but the cluster now offers %d (lost: %s). "
                + "Add executors or workers, or use training.mode: job, which goes on with the executors left; resume "
                + "from the last checkpoint", epoch + 1, groups.length, LongLivedStages.slots(jsc),
                watch.lost().isEmpty() ? "no executor reported" : String.join(", ", watch.lost())));
    }

    private IllegalStateException unreachable(String report) {
        String detail = report.substring(report.indexOf(ServerUnreachableException.MESSAGE_START));
        int newline = detail.indexOf('\n');
        return new IllegalStateException("executors cannot reach the driver's step ports at " + server.host()
                + " (parameter server " + server.port() + ", rendezvous " + rendezvous.port() + "): "
                + (newline > 0 ? detail.substring(0, newline) : detail) + ". Set "
                + "training.parameter_server.host to a driver address the executors can reach (default: "
                + "spark.driver.host), open the port (training.parameter_server.port, port_retries), or use "
                + "training.mode: job");
    }

    /** Dynamic allocation is refused before anything starts. */
    static void refuseUnsupported(SparkConf conf) {
        if (conf.getBoolean("spark.dynamicAllocation.enabled", false)) {
            throw new IllegalArgumentException("training.mode: barrier needs a fixed set of executors, but "
                    + "spark.dynamicAllocation.enabled=true (Spark's barrier stages do not support it). Use "
                    + "training.mode: elastic, which works with it, or disable it");
        }
    }
}
