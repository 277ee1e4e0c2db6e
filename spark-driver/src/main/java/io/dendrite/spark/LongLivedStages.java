package io.dendrite.spark;

import io.dendrite.datasets.ExampleBlock;
import io.dendrite.ps.RunKeys;
import io.dendrite.ps.ServerSettings;
import io.dendrite.ps.ServerUnreachableException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.apache.spark.ExceptionFailure;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaFutureAction;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorAdded;
import org.apache.spark.scheduler.SparkListenerExecutorRemoved;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.SparkListenerTaskStart;
import org.apache.spark.storage.RDDInfo;
import scala.collection.JavaConverters;

/**
 * What the two long-lived step modes (barrier and elastic tasks, each with a server on the driver) share: the
 * listener that follows their stages through Spark's events ({@link Watch}), where their server listens, the
 * run's keys, the wait for task slots and the grouping of shards into tasks.
 */
final class LongLivedStages {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(LongLivedStages.class);
    /** How long the task slots must stay the same before a stage starts with fewer than one per shard. */
    static final long SETTLE_MILLIS = 3_000;

    private LongLivedStages() {
    }

    /**
     * Follows one run's stages through Spark's events: finds them by their RDD's name ({@code prefix} and the
     * stage's number), tells the mode each attempt and task Spark launches and ends, and keeps what the mode
     * needs to fail in one line: a task that could not reach the server, the first task that failed with an
     * exception of its own (and whether that was bad input, which no retry can mend), the executors lost.
     * Another run's stages in the same SparkContext are not its business.
     */
    static final class Watch extends SparkListener {
        /** What the mode is told of its stages; each stage by its number in the run. */
        interface Launches {
            /** Spark submitted attempt {@code attempt} of stage {@code stage}. */
            default void stageLaunched(int stage, int attempt) {
            }

            /** Spark started task {@code index}'s attempt {@code attempt} of stage {@code stage}. */
            default void taskLaunched(int stage, int index, int attempt) {
            }

            /** That task attempt ended, however it ended. */
            default void taskEnded(int stage, int index, int attempt) {
            }

            /** An executor joined the application. */
            default void executorAdded(String id, String host) {
            }

            /** An executor left it, for {@code reason}. */
            default void executorRemoved(String id, String reason) {
            }
        }

        private final String prefix;
        private final Launches launches;
        /** Spark's stage ids of this run's stages, with their numbers in the run. */
        private final Map<Integer, Integer> stages = new ConcurrentHashMap<>();
        private final List<String> lost = new CopyOnWriteArrayList<>();
        private volatile String unreachable;
        private volatile String firstFailure;
        private volatile boolean badInput;

        Watch(String prefix, Launches launches) {
            this.prefix = prefix;
            this.launches = launches;
        }

        @Override
        public void onStageSubmitted(SparkListenerStageSubmitted submitted) {
            for (RDDInfo rdd : JavaConverters.seqAsJavaList(submitted.stageInfo().rddInfos())) {
                if (rdd.name() != null && rdd.name().startsWith(prefix)) {
                    int stage = Integer.parseInt(rdd.name().substring(prefix.length()));
                    stages.put(submitted.stageInfo().stageId(), stage);
                    launches.stageLaunched(stage, submitted.stageInfo().attemptNumber());
                }
            }
        }

        @Override
        public void onTaskStart(SparkListenerTaskStart start) {
            Integer stage = stages.get(start.stageId());
            if (stage != null) {
                launches.taskLaunched(stage, start.taskInfo().index(), start.taskInfo().attemptNumber());
            }
        }

        @Override
        public void onExecutorAdded(SparkListenerExecutorAdded added) {
            launches.executorAdded(added.executorId(), added.executorInfo().executorHost());
        }

        @Override
        public void onExecutorRemoved(SparkListenerExecutorRemoved removed) {
            lost.add("executor " + removed.executorId() + " (" + removed.reason() + ")");
            launches.executorRemoved(removed.executorId(), removed.reason());
        }

        @Override
        public void onTaskEnd(SparkListenerTaskEnd end) {
            Integer stage = stages.get(end.stageId());
            if (stage == null) {
                return;
            }
            launches.taskEnded(stage, end.taskInfo().index(), end.taskInfo().attemptNumber());
            if (!(end.reason() instanceof ExceptionFailure f) || f.description() == null) {
                return;
            }
            if (f.description().contains(ServerUnreachableException.MESSAGE_START)) {
                unreachable = f.description();
            }
            // The tasks around a failed one fail too (their connections break); the first is the cause.
            if (firstFailure == null) {
                badInput = f.className().equals(IllegalArgumentException.class.getName());
                firstFailure = failureLine(end, f);
            }
        }

        /** Forgets the last epoch's failure: a new epoch's stage starts clean. */
        void newEpoch() {
            firstFailure = null;
            badInput = false;
        }

        /** The executors lost so far, in the order Spark reported them. */
        List<String> lost() {
            return lost;
        }

        /** A task's report that it could not reach the server, or null. */
        String unreachable() {
            return unreachable;
        }

        /** The first task failure of the epoch in one line, or null. */
        String firstFailure() {
            return firstFailure;
        }

        /**
         * Bad input fails the same way however often Spark relaunches a task: the one-line error that stops the
         * run at the first such failure of epoch {@code epoch} (0-based), or null.
         */
        IllegalArgumentException badInput(int epoch) {
            return badInput ? new IllegalArgumentException("the training data failed to read in epoch " + (epoch + 1)
                    + ": " + firstFailure) : null;
        }
    }

    /**
     * Ends a stage whose last step is in: if {@code running} has not returned, says why ({@code cancelling})
     * and cancels it; if it has, throws what {@code failure} finds wrong, if anything.
     */
    static void finish(JavaFutureAction<?> running, Supplier<RuntimeException> failure, Runnable cancelling) {
        if (!running.isDone()) {
            cancelling.run();
            running.cancel(true);
        } else {
            RuntimeException f = failure.get();
            if (f != null) {
                throw f;
            }
        }
    }

    /**
     * Releases what a long-lived run holds, each part whatever the others do: its stage still running (may be
     * null), the placement of its shards, its servers, its listener and its claim on the slots.
     */
    static void release(JavaSparkContext jsc, JavaFutureAction<?> running, JavaRDD<ExampleBlock> blocks, Watch watch,
                        String claim, Runnable... servers) {
        try {
            if (running != null && !running.isDone()) {
                running.cancel(true);
            }
        } finally {
            try {
                CachePlacement.release(blocks);
                for (Runnable close : servers) {
                    close.run();
                }
            } finally {
                jsc.sc().removeSparkListener(watch);
                LongLivedRuns.release(jsc.sc(), claim);
            }
        }
    }

    /** A task's own failure in one line: which task, where, and the first line of its exception. */
    private static String failureLine(SparkListenerTaskEnd end, ExceptionFailure f) {
        return "task " + end.taskInfo().index() + " on executor " + end.taskInfo().executorId() + " ("
                + end.taskInfo().host() + "): " + f.className().substring(f.className().lastIndexOf('.') + 1) + ": "
                + f.description().lines().findFirst().orElse("");
    }

    /** Where the driver's step server listens: the transport's host and bind address, else Spark's driver's. */
    static ServerSettings serverSettings(SparkConf conf, StepTransport transport) {
        String host = transport.host() != null ? transport.host() : conf.get("spark.driver.host", "localhost");
        String bind = transport.bindAddress() != null ? transport.bindAddress()
                : conf.get("spark.driver.bindAddress", host);
        return new ServerSettings(bind, host, transport.port(), transport.portRetries(), transport.connectMillis(),
                transport.stepMillis());
    }

    /**
     * The keys of this run's step connections: TLS 1.3 with a certificate made for the run when Spark is
     * asked to encrypt its own traffic ({@code spark.network.crypto.enabled} or {@code spark.ssl.enabled}),
     * else the HMAC-authenticated plain connections. The keys travel to the executors inside the tasks, so
     * they are as safe as Spark's RPC: encrypted with {@code spark.authenticate} and
     * {@code spark.network.crypto.enabled}, in the clear otherwise (said in the log).
     */
    static RunKeys runKeys(SparkConf conf) {
        boolean rpcEncrypted = conf.getBoolean("spark.authenticate", false)
                && conf.getBoolean("spark.network.crypto.enabled", false);
        String asked = List.of("spark.network.crypto.enabled", "spark.ssl.enabled").stream()
                .filter(k -> conf.getBoolean(k, false)).findFirst().orElse(null);
        if (!conf.getBoolean("spark.io.encryption.enabled", false)) {
            // The task binary is a broadcast: executors may keep its blocks on their local disks.
            LOG.warn("step connections: the run's keys reach the executors inside the task, whose broadcast blocks "
                    + "Spark may write to the executors' local disks unencrypted; set spark.io.encryption.enabled=true "
                    + "to encrypt them there");
        }
        if (asked == null) {
            LOG.info("step connections are authenticated (HMAC-SHA256 handshakes under a per-run secret, then every "
                    + "record HMAC-SHA256 under the connection's keys) but not encrypted; set spark.authenticate and "
                    + "spark.network.crypto.enabled to encrypt them (TLS 1.3)");
            return RunKeys.authenticated();
        }
        LOG.info("step connections use TLS 1.3 with a per-run certificate, both ends authenticated ("
                + asked + "=true)" + (rpcEncrypted ? "" : "; but the run's keys reach the executors through Spark's "
                + "RPC, which is not encrypted without spark.authenticate=true and spark.network.crypto.enabled=true"));
        return RunKeys.encrypted();
    }


    /**
     * Waits (on a cluster, while executors register) until there is a task slot per shard, or the slots
     * have stopped growing for {@link #SETTLE_MILLIS}, or {@code millis} have passed; then the stage runs
     * with the slots there are (one task may hold several shards). Fails, naming {@code mode}, only when there
     * is no slot at all.
     */
    static void awaitSlots(JavaSparkContext jsc, String mode, int shards, long millis) {
        long started = System.nanoTime();
        long deadline = started + millis * 1_000_000;
        int slots = slots(jsc);
        long grew = started;
        while (slots < shards && !jsc.isLocal() && System.nanoTime() < deadline
                && (slots == 0 || System.nanoTime() - grew < SETTLE_MILLIS * 1_000_000)) {
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for executors", e);
            }
            int now = slots(jsc);
            if (now > slots) {
                grew = System.nanoTime();
            }
            slots = now;
        }
        if (slots < 1) {
            throw new IllegalArgumentException(String.format("training.mode: " + mode + " needs at least one task slot, "
                    + "but %s offers none after waiting %d ms for executors (spark.task.cpus may exceed "
                    + "spark.executor.cores); add executors or cores, or use training.mode: job", jsc.master(), millis));
        }
    }

    /** {@code shards} shards in {@code n} contiguous runs, as even as can be, in shard order. */
    static int[][] contiguous(int shards, int n) {
        int[][] g = new int[n][];
        for (int i = 0; i < n; i++) {
            int from = (int) ((long) i * shards / n);
            int to = (int) ((long) (i + 1) * shards / n);
            g[i] = java.util.stream.IntStream.range(from, to).toArray();
        }
        return g;
    }

    /** Task slots free for a stage now, counted as Spark's own barrier check counts them. */
    static int slots(JavaSparkContext jsc) {
        return jsc.sc().maxNumConcurrentTasks(jsc.sc().resourceProfileManager().defaultResourceProfile());
    }
}
