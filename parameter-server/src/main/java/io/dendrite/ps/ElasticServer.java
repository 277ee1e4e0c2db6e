package io.dendrite.ps;

import io.dendrite.core.step.GradientAccumulator;
import io.dendrite.core.step.StepBytes;
import io.dendrite.core.step.Steps;
import io.dendrite.core.util.Checks;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The driver's end of elastic steps. The tasks of an ordinary (not barrier) Spark stage connect directly,
 * task {@code g} as the owner of group {@code g} of the shards. Every step the server sends the weights to
 * each connected task and assigns every shard to exactly one of them: its owner when connected, else (once
 * the owner was lost, or has not joined within the connect timeout) the connected task with the least
 * work. The tasks send back their shards' results as nodes of the fixed shard tree, which merge to the same
 * bits whoever computed which shard.
 *
 * <p>A task lost mid-step costs only the shards it had not yet delivered: they are assigned at once to the
 * tasks left (which read them from Spark's cache or recompute them), and the task Spark relaunches takes its
 * own shards back from the next step. Nothing else is recomputed, no stage restarts, and no update is lost
 * or applied twice. Attempts are accepted only once Spark's scheduler has reported them
 * ({@link #taskLaunched}); every wait has a deadline that only real progress extends.
 */
public final class ElasticServer extends TaskServer<ElasticServer.Event> {
    private static final System.Logger LOG = System.getLogger(ElasticServer.class.getName());
    private static final int MAX_GROUPS = 1 << 16;
    /**
     * From the second stage on, how long after a stage's first task joined the others may take before their
     * shards go to the tasks already there: their blocks are cached and the kernels warm by then, so a task
     * this late is a new executor's, still starting its JVM or warming up, which would hold every step.
     */
    private static final long LATE_JOIN_NANOS = 1_000_000_000L;

    private final int shards;
    private final int parameters;
    private volatile int stage = -1;
    /** The latest attempt Spark has reported of each group's task in the running stage (-1: none yet). */
    private volatile AtomicIntegerArray launched = new AtomicIntegerArray(0);

    // Owned by the training thread.
    private int[][] groups = new int[0][];
    private int[] groupOf = new int[0];
    private Connection[] owners = new Connection[0];
    private boolean[] everJoined = new boolean[0];
    /** Per group: when its task was last lost (nanoTime), which attempt, and the latest attempt Spark ended. */
    private long[] lostAt = new long[0];
    private int[] lostAttempt = new int[0];
    private int[] ended = new int[0];
    private long stageStarted;
    /** When the running stage's first task joined (nanoTime), 0 before. */
    private long firstJoined;
    private final Map<Connection, Deque<int[]>> outstanding = new HashMap<>();
    private final ByteBuffer[] workFrames = new ByteBuffer[2];
    private int workIndex;
    private ByteBuffer currentWork;
    private long currentStep = -1;
    private boolean[] covered;
    private boolean[] assigned;
    private GradientAccumulator merged;
    private long workBytesSent;
    private long receivedBytes;
    private long busiestTaskOut;
    private long recomputed;
    private long computedElsewhere;
    private String lastLoss = "none";

    /** What one connection told the training thread. */
    sealed interface Event permits Join, Result, Lost, Ended {
    }

    private record Ended(int stage, int group, int attempt) implements Event {
    }

    private record Join(Connection connection) implements Event {
    }

    private record Result(Connection connection, TreeNode.Subtree subtree) implements Event {
    }

    private record Lost(Connection connection, String why) implements Event {
    }

    /**
     * One step's result, and how many of its shards were computed by a task other than their owner's
     * ({@code elsewhere}) and how many had to be computed again because the task computing them was lost
     * ({@code recomputed}).
     */
    public record Exchanged(Steps.Result result, int elsewhere, int recomputed) {
    }

    private ElasticServer(ServerSettings settings, RunKeys keys, int shards, int parameters,
                          ServerSocketChannel listener) {
        super("elastic server", settings, keys, listener, Math.max(64, 4 * shards));
        this.shards = shards;
        this.parameters = parameters;
    }

    /** Listens on the first free port of {@code settings}' range for a run over {@code shards} shards. */
    public static ElasticServer start(ServerSettings settings, RunKeys keys, int shards, int parameters)
            throws IOException {
        Checks.atLeast("shards", shards, 1);
        Checks.atLeast("parameters", parameters, 1);
        Checks.checkArgument(parameters <= Wire.MAX_PARAMETERS, "a network of %s parameters does not fit one frame "
                + "(at most %s)", parameters, Wire.MAX_PARAMETERS);
        ServerSocketChannel s = bind(settings, 128);
        try {
            ElasticServer server = new ElasticServer(settings, keys, shards, parameters, s);
            server.startAccepting();
            return server;
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /** Shard-steps computed again because the task computing them was lost, since the server started. */
    public long recomputedShardSteps() {
        return recomputed;
    }

    /**
     * Starts stage {@code id}, whose task {@code g} owns the shards {@code groups[g]} (every shard in exactly
     * one group). Connections of earlier stages are closed.
     */
    public void beginStage(int id, int[][] groups) {
        Checks.checkArgument(id > stage, "stage %s does not follow stage %s", id, stage);
        Checks.checkArgument(groups.length >= 1 && groups.length <= MAX_GROUPS, "%s groups", groups.length);
        int[] of = new int[shards];
        Arrays.fill(of, -1);
        for (int g = 0; g < groups.length; g++) {
            for (int s : groups[g]) {
                Checks.checkArgument(s >= 0 && s < shards && of[s] < 0, "shard %s is outside [0, %s) or in two groups",
                        s, shards);
                of[s] = g;
            }
        }
        for (int s = 0; s < shards; s++) {
            Checks.checkArgument(of[s] >= 0, "shard %s is in no group", s);
        }
        AtomicIntegerArray reported = new AtomicIntegerArray(groups.length);
        for (int g = 0; g < groups.length; g++) {
            reported.set(g, -1);
        }
        launched = reported;
        stage = id;
        this.groups = groups;
        groupOf = of;
        held.keySet().forEach(Connection::close);
        held.clear();
        for (Connection c : open) {
            c.close();
        }
        owners = new Connection[groups.length];
        everJoined = new boolean[groups.length];
        lostAt = new long[groups.length];
        lostAttempt = new int[groups.length];
        ended = new int[groups.length];
        Arrays.fill(ended, -1);
        outstanding.clear();
        currentWork = null;
        currentStep = -1;
        stageStarted = System.nanoTime();
        firstJoined = 0;
    }

    /**
     * Spark launched attempt {@code attempt} of the task of group {@code group} in stage {@code id} (as its
     * scheduler reports it): a connection claiming it is accepted from now on. Any thread may call it.
     */
    public void taskLaunched(int id, int group, int attempt) {
        AtomicIntegerArray reported = launched;
        if (id == stage && group >= 0 && group < reported.length()) {
            reported.accumulateAndGet(group, attempt, Math::max);
        }
    }

    /**
     * Spark ended attempt {@code attempt} of the task of group {@code group} in stage {@code id} (failed,
     * killed or lost with its executor). A lost task's shards go to the other tasks only once Spark has
     * said so (or the connect timeout has passed): until then its executor may still be listed as holding
     * their cached blocks, and a task reading them would wait out Spark's fetch retries. Any thread may call it.
     */
    public void taskEnded(int id, int group, int attempt) {
        events.add(new Ended(id, group, attempt));
    }

    /**
     * Publishes step {@code step}'s weights and waits until every shard's result of it has arrived.
     * {@code failure} is asked while waiting; a non-null answer is thrown.
     */
    public Exchanged exchange(long step, long stepInEpoch, float[] weights, Supplier<RuntimeException> failure) {
        Checks.checkArgument(weights.length == parameters, "cannot publish %s weights on a server for %s",
                weights.length, parameters);
        Checks.checkArgument(stage >= 0, "exchange before beginStage");
        long started = System.nanoTime();
        workIndex ^= 1;
        ByteBuffer frame = workFrames[workIndex] = WorkFrame.write(workFrames[workIndex], step, stepInEpoch, weights);
        currentWork = frame;
        currentStep = step;
        covered = new boolean[shards];
        assigned = new boolean[shards];
        merged = GradientAccumulator.empty(shards);
        outstanding.clear();
        workBytesSent = 0;
        receivedBytes = 0;
        busiestTaskOut = 0;
        int elsewhereBefore = (int) computedElsewhere;
        int recomputedBefore = (int) recomputed;
        for (Connection c : owners) {
            if (c != null) {
                sendWork(c);
            }
        }
        assignOwned();
        long published = System.nanoTime();
        long lastProgress = published;
        String waitingFor = "the shards of step " + step;
        while (coveredCount() < shards) {
            assignOrphans();
            Event e = nextEvent(failure, lastProgress, waitingFor);
            if (e instanceof Join j) {
                if (join(j.connection())) {
                    lastProgress = System.nanoTime();
                }
            } else if (e instanceof Result r) {
                if (accept(r)) {
                    lastProgress = System.nanoTime();
                }
            } else if (e instanceof Lost l) {
                lost(l);
            } else if (e instanceof Ended d) {
                ended(d);
            }
        }
        long arrived = System.nanoTime();
        GradientAccumulator result = merged;
        merged = null;
        return new Exchanged(new Steps.Result(result, published - started, arrived - published,
                new StepBytes(receivedBytes, workBytesSent, frame.capacity(), busiestTaskOut)),
                (int) computedElsewhere - elsewhereBefore, (int) recomputed - recomputedBefore);
    }

    /**
     * Ends the current stage: every task of it is told to finish, including tasks that connect now, until
     * {@code done} says the stage is over.
     */
    public void endStage(BooleanSupplier done, Supplier<RuntimeException> failure) {
        currentWork = null;
        currentStep = -1;
        endTasks(owners, stage, done, failure);
    }

    /** Whether any task of the running stage is connected (the training thread's view). */
    public boolean anyTaskConnected() {
        for (Connection c : owners) {
            if (c != null) {
                return true;
            }
        }
        return false;
    }

    @Override
    Connection joining(Event e) {
        return e instanceof Join j ? j.connection() : null;
    }

    @Override
    void whileEnding(Event e) {
        if (e instanceof Lost l) {
            lost(l);
        } else if (e instanceof Ended d) {
            ended(d);
        }
    }

    // The training thread's bookkeeping.

    private int coveredCount() {
        int n = 0;
        for (boolean b : covered) {
            n += b ? 1 : 0;
        }
        return n;
    }

    /** Gives each connected owner its group's shards not yet assigned in this step. */
    private void assignOwned() {
        for (int g = 0; g < owners.length; g++) {
            if (owners[g] != null) {
                assign(owners[g], Arrays.stream(groups[g]).filter(s -> !assigned[s]).toArray());
            }
        }
    }

    /**
     * Gives the shards of groups without a connected owner to the connected tasks with the least outstanding
     * work: once Spark has ended the lost owner's task (or the connect timeout has passed since the loss), or
     * when the owner has not joined within the connect timeout (from the second stage on, within
     * {@link #LATE_JOIN_NANOS} of the stage's first task).
     */
    private void assignOrphans() {
        if (currentWork == null) {
            return;
        }
        long now = System.nanoTime();
        long timeout = settings.connectMillis() * 1_000_000;
        boolean late = now - stageStarted > timeout
                || stage > 0 && firstJoined != 0 && now - firstJoined > LATE_JOIN_NANOS;
        Map<Connection, List<Integer>> extra = new LinkedHashMap<>();
        for (int s = 0; s < shards; s++) {
            int g = groupOf[s];
            boolean orphan = everJoined[g] ? ended[g] >= lostAttempt[g] || now - lostAt[g] > timeout : late;
            if (assigned[s] || owners[g] != null || !orphan) {
                continue;
            }
            Connection least = null;
            for (Connection c : owners) {
                if (c != null && (least == null || load(c, extra) < load(least, extra))) {
                    least = c;
                }
            }
            if (least == null) {
                return; // nobody to give it to yet: a task's joining will be
            }
            extra.computeIfAbsent(least, k -> new ArrayList<>()).add(s);
        }
        extra.forEach((c, list) -> assign(c, list.stream().mapToInt(Integer::intValue).toArray()));
    }

    private int load(Connection c, Map<Connection, List<Integer>> extra) {
        int n = extra.getOrDefault(c, List.of()).size();
        for (int[] a : outstanding.getOrDefault(c, new ArrayDeque<>())) {
            n += a.length;
        }
        return n;
    }

    private void assign(Connection c, int[] list) {
        if (list.length == 0) {
            return;
        }
        for (int s : list) {
            assigned[s] = true;
            if (groupOf[s] != c.partition) {
                computedElsewhere++;
            }
        }
        outstanding.computeIfAbsent(c, k -> new ArrayDeque<>()).add(list);
        ByteBuffer a = Wire.le(new byte[4 + 1 + 8 + 4 + 4 * list.length]);
        a.putInt(a.capacity() - 4).put(Wire.ASSIGN).putLong(currentStep).putInt(list.length);
        for (int s : list) {
            a.putInt(s);
        }
        c.send(a.flip());
        workBytesSent += a.capacity();
    }

    /** Takes a task's result of its oldest outstanding assignment; false when it is not one (and is dropped). */
    private boolean accept(Result r) {
        Connection c = r.connection();
        Deque<int[]> queue = outstanding.get(c);
        if (c.stage != stage || owners[c.partition] != c || queue == null || queue.isEmpty()
                || r.subtree().step() != currentStep) {
            return false; // a replaced attempt's, or a result of an earlier step
        }
        int[] expected = queue.poll();
        boolean[] got = new boolean[shards];
        for (GradientAccumulator.Node n : r.subtree().nodes()) {
            long first = (long) n.index() << n.level();
            for (long s = first; s < Math.min(shards, first + (1L << n.level())); s++) {
                got[(int) s] = true;
            }
        }
        for (int s : expected) {
            Checks.checkState(got[s], "task %s sent step %s without shard %s it was given", c.partition, currentStep, s);
            got[s] = false;
        }
        for (int s = 0; s < shards; s++) {
            Checks.checkState(!got[s], "task %s sent shard %s of step %s, which it was not given", c.partition, s,
                    currentStep);
        }
        merged.mergeInPlace(GradientAccumulator.restore(shards, r.subtree().nodes(), 0, 0));
        for (int s : expected) {
            covered[s] = true;
        }
        receivedBytes += r.subtree().bytes();
        busiestTaskOut = Math.max(busiestTaskOut, r.subtree().bytes());
        return true;
    }

    /**
     * Registers a task's connection: the newest attempt of a group replaces an older one (whose unfinished
     * shards go back to be assigned), an older one is closed. False when it is not admitted.
     */
    @Override
    boolean join(Connection c) {
        if (c.stage != stage || c.partition >= owners.length) {
            c.close();
            return false;
        }
        if (c.attempt > launched.get(c.partition)) {
            if (hold(c)) {
                LOG.log(System.Logger.Level.INFO, "elastic server: holding {0} until Spark reports attempt {1} of "
                        + "task {2}", c, c.attempt, c.partition);
            }
            return false;
        }
        Connection old = owners[c.partition];
        if (old != null && old.attempt >= c.attempt) {
            c.close();
            return false;
        }
        if (old != null) {
            owners[c.partition] = null;
            release(old, "replaced by attempt " + c.attempt);
            old.close();
        }
        owners[c.partition] = c;
        everJoined[c.partition] = true;
        if (firstJoined == 0) {
            firstJoined = System.nanoTime();
        }
        if (currentWork != null) {
            sendWork(c);
            assign(c, Arrays.stream(groups[c.partition]).filter(s -> !assigned[s]).toArray());
        } else {
            c.send(Wire.endFrame());
        }
        return true;
    }

    private void lost(Lost l) {
        Connection c = l.connection();
        lastLoss = "task " + c.partition + " attempt " + c.attempt + ": " + l.why();
        if (c.stage == stage && c.partition < owners.length && owners[c.partition] == c) {
            owners[c.partition] = null;
            lostAt[c.partition] = System.nanoTime();
            lostAttempt[c.partition] = c.attempt;
            release(c, "lost (" + l.why() + ")");
        }
    }

    private void ended(Ended d) {
        if (d.stage() == stage && d.group() >= 0 && d.group() < ended.length) {
            ended[d.group()] = Math.max(ended[d.group()], d.attempt());
        }
    }

    /** Returns the shards {@code c} had not delivered in this step, to be assigned again when they may be. */
    private void release(Connection c, String why) {
        Deque<int[]> queue = outstanding.remove(c);
        if (queue == null || queue.isEmpty() || currentWork == null) {
            return;
        }
        List<Integer> undone = new ArrayList<>();
        for (int[] a : queue) {
            for (int s : a) {
                assigned[s] = false;
                undone.add(s);
            }
        }
        recomputed += undone.size();
        LOG.log(System.Logger.Level.WARNING, "elastic server: task {0} attempt {1} {2} during step {3}; its "
                + "unfinished shards {4} go to the tasks left once Spark has ended it (only these are recomputed)",
                c.partition, c.attempt, why, currentStep, undone);
        assignOwned();
    }

    private void sendWork(Connection c) {
        c.send(currentWork);
        workBytesSent += currentWork.capacity();
    }

    @Override
    String waitState() {
        List<Integer> missing = new ArrayList<>();
        for (int s = 0; covered != null && s < shards; s++) {
            if (!covered[s]) {
                missing.add(s);
            }
        }
        List<Integer> connected = new ArrayList<>();
        for (int g = 0; g < owners.length; g++) {
            if (owners[g] != null) {
                connected.add(g);
            }
        }
        return String.format("stage %d; shards without a result: %s; tasks connected: %s; last lost connection: %s",
                stage, missing, connected, lastLoss);
    }

    @Override
    boolean reported(Connection c) {
        return c.stage != stage || c.attempt <= launched.get(c.partition);
    }

    // Called from connection threads.

    @Override
    public void joined(Connection c) {
        events.add(new Join(c));
    }

    @Override
    public void lost(Connection c, String why) {
        events.add(new Lost(c, why));
    }

    @Override
    public void read(Connection c, Link link, BooleanSupplier isClosed) throws IOException {
        if (c.scratch == null) {
            c.scratch = new DataInputStream(link.input(0, isClosed));
        }
        events.add(new Result(c, TreeNode.Subtree.read((DataInputStream) c.scratch, parameters,
                new byte[TreeNode.CHUNK])));
    }

    @Override
    String refusal(Wire.Hello hello) {
        int groupCount = launched.length();
        if (hello.stage() != stage) {
            return "stage " + hello.stage() + " is not the running stage " + stage;
        }
        if (hello.task() < 0 || hello.task() >= groupCount) {
            return "task " + hello.task() + " is outside [0, " + groupCount + ")";
        }
        return null;
    }
}
