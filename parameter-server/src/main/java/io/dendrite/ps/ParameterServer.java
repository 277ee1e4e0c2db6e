package io.dendrite.ps;

import io.dendrite.core.loss.LossStats;
import io.dendrite.core.step.GradientAccumulator;
import io.dendrite.core.step.StepBytes;
import io.dendrite.core.step.Steps;
import io.dendrite.core.util.Checks;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The driver's end of low-latency synchronous steps: long-lived tasks connect, authenticate with the
 * run's secret, and then exchange one share of gradient for the next weights per step. The training loop
 * stays on the caller's thread and owns the {@link MasterWeights}: {@link #exchange} publishes step
 * {@code t}'s weights and returns once every partition's share of step {@code t} has arrived, merged in
 * the same fixed tree as the job-per-step reduction, so both modes give the same bits.
 *
 * <p>Work is organised in stages (one Spark barrier stage per epoch). When a task dies, Spark relaunches
 * the whole stage as a new attempt; the first connection of a newer attempt discards the shares of the
 * older one and the step is recomputed by the new tasks from the same weights, so no update is lost or
 * applied twice. Connections of older attempts or stages are closed. Every wait has a deadline.
 */
public final class ParameterServer extends TaskServer<ParameterServer.Event> {
    private static final System.Logger LOG = System.getLogger(ParameterServer.class.getName());

    private final int partitions;
    /** The most weights a run can have: one share or work frame holds them all, 4 bytes each, within an int. */
    public static final int MAX_PARAMETERS = Wire.MAX_PARAMETERS;
    private final int parameters;
    private final ConcurrentLinkedQueue<float[]> pool = new ConcurrentLinkedQueue<>();
    private volatile int stage = -1;
    private volatile int launched;

    // Owned by the training thread.
    private int attempt = -1;
    private final Connection[] joined;
    private final Share[] shares;
    private final List<float[]> lent = new ArrayList<>();
    private final ByteBuffer[] workFrames = new ByteBuffer[2];
    private int workIndex;
    private ByteBuffer currentWork;
    private String lastLoss = "none";
    private long workBytesSent;

    /** What one connection told the training thread. */
    sealed interface Event permits Join, Share, Lost {
    }

    record Join(Connection connection) implements Event {
    }

    record Share(Connection connection, long step, float[] gradient, LossStats stats, long computeNanos, long nodeIn,
                 long nodeOut) implements Event {
    }

    record Lost(Connection connection, String why) implements Event {
    }

    private ParameterServer(ServerSettings settings, RunKeys keys, int partitions, int parameters,
                            ServerSocketChannel listener) {
        super("parameter server", settings, keys, listener, Math.max(64, 4 * partitions));
        this.partitions = partitions;
        this.parameters = parameters;
        this.joined = new Connection[partitions];
        this.shares = new Share[partitions];
    }

    /**
     * Listens on the first free port of {@code settings}' range for a run over {@code partitions}
     * partitions and {@code parameters} weights.
     */
    public static ParameterServer start(ServerSettings settings, RunKeys keys, int partitions, int parameters)
            throws IOException {
        Checks.atLeast("partitions", partitions, 1);
        Checks.atLeast("parameters", parameters, 1);
        Checks.checkArgument(parameters <= MAX_PARAMETERS, "a network of %s parameters does not fit one frame "
                + "of the parameter server (at most %s)", parameters, MAX_PARAMETERS);
        ServerSocketChannel s = bind(settings, Math.max(50, partitions * 2));
        try {
            ParameterServer server = new ParameterServer(settings, keys, partitions, parameters, s);
            server.startAccepting();
            return server;
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /**
     * Starts stage {@code id}: only its tasks are accepted from now on; older connections are closed. Its
     * attempt 0 is taken as launched; later attempts only once {@link #attemptLaunched} reports them.
     */
    public void beginStage(int id) {
        Checks.checkArgument(id > stage, "stage %s does not follow stage %s", id, stage);
        stage = id;
        launched = 0;
        attempt = -1;
        held.keySet().forEach(Connection::close);
        held.clear();
        dropShares();
        Arrays.fill(joined, null);
        currentWork = null;
        for (Connection c : open) {
            if (c.stage != id) {
                c.close();
            }
        }
    }

    /**
     * Spark launched attempt {@code attemptNumber} of stage {@code id} (as its scheduler reports it, not as a
     * task claims): tasks of attempts up to it are accepted. A connection claiming a later attempt is held
     * until Spark reports it, and refused after the connect timeout, so a peer cannot claim an attempt no
     * task has and lock the real tasks out. Any thread may call it.
     */
    public void attemptLaunched(int id, int attemptNumber) {
        if (id == stage && attemptNumber > launched) {
            launched = attemptNumber;
        }
    }

    /**
     * Publishes step {@code step}'s weights and waits until every partition has sent its share of it.
     * {@code failure} is asked while waiting; a non-null answer (the stage failed) is thrown.
     */
    public Steps.Result exchange(long step, long stepInEpoch, float[] weights, Supplier<RuntimeException> failure) {
        Checks.checkArgument(weights.length == parameters, "cannot publish %s weights on a server for %s",
                weights.length, parameters);
        Checks.checkArgument(stage >= 0, "exchange before beginStage");
        recycle();
        long started = System.nanoTime();
        // Two frames alternate: a writer still sending the previous step to a replaced connection keeps
        // reading bytes nobody changes while this step's frame is filled.
        workIndex ^= 1;
        ByteBuffer frame = workFrames[workIndex] = WorkFrame.write(workFrames[workIndex], step, stepInEpoch, weights);
        currentWork = frame;
        workBytesSent = 0;
        for (Connection c : joined) {
            if (c != null) {
                sendWork(c, frame);
            }
        }
        long published = System.nanoTime();
        long lastProgress = published;
        String waitingFor = "the shares of step " + step;
        while (sharesHeld() < partitions) {
            // Only real progress moves the deadline: a task of the stage joining, or a share of this step.
            // Peers that never authenticate (a port scanner) reach this loop not at all.
            Event e = nextEvent(failure, lastProgress, waitingFor);
            if (e instanceof Join j) {
                if (join(j.connection())) {
                    lastProgress = System.nanoTime();
                }
            } else if (e instanceof Share s) {
                Connection c = s.connection();
                if (c.stage != stage || c.attempt != attempt || joined[c.partition] != c) {
                    pool.add(s.gradient()); // from an attempt Spark has already replaced
                    continue;
                }
                Checks.checkState(s.step() == step, "partition %s sent a share of step %s while step %s runs",
                        c.partition, s.step(), step);
                Checks.checkState(shares[c.partition] == null, "partition %s sent step %s twice", c.partition, step);
                shares[c.partition] = s;
                lastProgress = System.nanoTime();
            } else if (e instanceof Lost l) {
                lost(l);
            }
        }
        long arrived = System.nanoTime();
        // A connection that joined mid-step was sent the work on joining.
        GradientAccumulator merged = GradientAccumulator.empty(partitions);
        long nodeIn = 0;
        long nodeOut = 0;
        for (int p = 0; p < partitions; p++) {
            Share s = shares[p];
            nodeIn = Math.max(nodeIn, s.nodeIn());
            nodeOut = Math.max(nodeOut, s.nodeOut());
            lent.add(s.gradient());
            merged.mergeInPlace(GradientAccumulator.ofPartition(partitions, p, s.gradient(), s.stats(),
                    s.computeNanos()));
            shares[p] = null;
        }
        long received = (long) partitions * (Wire.SHARE_HEADER + 4L * parameters);
        return new Steps.Result(merged, published - started, arrived - published,
                new StepBytes(received, workBytesSent, nodeIn, nodeOut));
    }

    /**
     * Ends the current stage: every task of it is told to finish, including tasks of an attempt that
     * starts now, until {@code done} says the stage is over.
     */
    public void endStage(BooleanSupplier done, Supplier<RuntimeException> failure) {
        recycle();
        dropShares();
        currentWork = null;
        endTasks(joined, stage, done, failure);
    }

    @Override
    Connection joining(Event e) {
        return e instanceof Join j ? j.connection() : null;
    }

    @Override
    void whileEnding(Event e) {
        if (e instanceof Share s) {
            pool.add(s.gradient());
        } else if (e instanceof Lost l) {
            lost(l);
        }
    }

    @Override
    String waitState() {
        List<Integer> missing = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            if (shares[p] == null) {
                missing.add(p);
            }
        }
        return String.format("stage %d, attempt %d; partitions without a share: %s; connected: %s; last lost "
                + "connection: %s", stage, attempt, missing, connectedPartitions(), lastLoss);
    }

    private int sharesHeld() {
        int n = 0;
        for (Share s : shares) {
            n += s != null ? 1 : 0;
        }
        return n;
    }

    /**
     * Registers a connection; one of a newer attempt first drops the older attempt's connections and shares.
     * False when it belongs to another stage or an older attempt (and is closed).
     */
    @Override
    boolean join(Connection c) {
        if (c.stage != stage || c.attempt < attempt) {
            c.close();
            return false;
        }
        if (c.attempt > launched) {
            if (hold(c)) {
                LOG.log(System.Logger.Level.INFO, "parameter server: holding {0} until Spark reports attempt {1} of "
                        + "stage {2} (latest reported: {3})", c, c.attempt, c.stage, launched);
            }
            return false;
        }
        if (c.attempt > attempt) {
            for (Connection old : joined) {
                if (old != null) {
                    old.close();
                }
            }
            Arrays.fill(joined, null);
            dropShares();
            attempt = c.attempt;
        }
        Checks.checkState(joined[c.partition] == null, "partition %s connected twice in attempt %s of stage %s",
                c.partition, attempt, stage);
        joined[c.partition] = c;
        if (currentWork != null) {
            sendWork(c, currentWork);
        } else {
            c.send(Wire.endFrame());
        }
        return true;
    }

    @Override
    boolean reported(Connection c) {
        return c.attempt <= launched || c.stage != stage;
    }

    private void sendWork(Connection c, ByteBuffer frame) {
        c.send(frame);
        workBytesSent += frame.capacity();
    }

    private void lost(Lost l) {
        Connection c = l.connection();
        lastLoss = "partition " + c.partition + " attempt " + c.attempt + ": " + l.why();
        if (c.stage == stage && c.attempt == attempt && joined[c.partition] == c) {
            // Spark fails and relaunches the stage; its new tasks will join. A share already sent stays
            // valid (it is a function of the weights and the cursor) until a newer attempt joins.
            joined[c.partition] = null;
        }
    }

    private String connectedPartitions() {
        List<Integer> c = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            if (joined[p] != null) {
                c.add(p);
            }
        }
        return c.toString();
    }

    private void dropShares() {
        for (int p = 0; p < partitions; p++) {
            if (shares[p] != null) {
                pool.add(shares[p].gradient());
                shares[p] = null;
            }
        }
    }

    private void recycle() {
        pool.addAll(lent);
        lent.clear();
    }

    @Override
    String refusal(Wire.Hello hello) {
        if (hello.task() < 0 || hello.task() >= partitions) {
            return "partition " + hello.task() + " is outside [0, " + partitions + ")";
        }
        if (hello.stage() != stage) {
            return "stage " + hello.stage() + " is not the running stage " + stage;
        }
        return null;
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

    /** Reads a share into the connection's one direct buffer, so a gradient is copied once, into its array. */
    @Override
    public void read(Connection c, Link link, BooleanSupplier closed) throws IOException {
        if (c.scratch == null) {
            c.scratch = Wire.direct(Wire.SHARE_HEADER + 4 * parameters);
        }
        ByteBuffer frame = (ByteBuffer) c.scratch;
        frame.clear().limit(Wire.SHARE_HEADER);
        link.readFully(frame, Wire.NO_DEADLINE, closed, "a share");
        int length = frame.getInt(0);
        byte type = frame.get(4);
        if (type != Wire.SHARE || length != frame.capacity() - 4) {
            throw new IOException("expected a share frame of " + (frame.capacity() - 4) + " bytes but got type "
                    + type + " of " + length + " bytes");
        }
        long step = frame.getLong(5);
        double lossSum = frame.getDouble(13);
        long count = frame.getLong(21);
        long correct = frame.getLong(29);
        long nanos = frame.getLong(37);
        long nodeIn = frame.getLong(45);
        long nodeOut = frame.getLong(53);
        int n = frame.getInt(61);
        if (n != parameters) {
            throw new IOException("a share of " + n + " values on a server for " + parameters);
        }
        frame.limit(frame.capacity());
        link.readFully(frame, Wire.NO_DEADLINE, closed, "a share");
        float[] g = pool.poll();
        float[] gradient = g != null ? g : new float[parameters];
        Wire.getFloats(frame, Wire.SHARE_HEADER, gradient);
        events.add(new Share(c, step, gradient, new LossStats(lossSum, count, correct), nanos, nodeIn, nodeOut));
    }
}
