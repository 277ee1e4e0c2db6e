package io.dendrite.ps;

import io.dendrite.core.loss.LossStats;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;

/**
 * A long-lived task's end of a connection to the {@link ParameterServer}: it authenticates once, then
 * alternates {@link #next()} (the weights of the step to compute, or the end of the stage) and
 * {@link #send} (its share of that step). Frames go through reused direct buffers, so a step allocates
 * nothing and each array is copied once on each side. Every wait ends at its deadline or when
 * {@code cancelled} says the task was killed.
 */
public final class ParameterClient implements AutoCloseable {
    private final Link link;
    private final String server;
    private final String waitingForWork;
    private final String sendingShare;
    private final long waitMillis;
    private final BooleanSupplier cancelled;
    private final float[] weights;
    private final ByteBuffer work;
    private final ByteBuffer share;

    /** The step to compute: its number, its position in the epoch and the weights (reused between steps). */
    public record Work(long step, long stepInEpoch, float[] weights) {
    }

    private ParameterClient(Link link, String server, int parameters, long waitMillis, BooleanSupplier cancelled) {
        this.link = link;
        this.server = server;
        this.waitingForWork = "work from the parameter server at " + server;
        this.sendingShare = "a share to " + server;
        this.waitMillis = waitMillis;
        this.cancelled = cancelled;
        this.weights = new float[parameters];
        this.work = Wire.direct(WorkFrame.bytes(parameters));
        this.share = Wire.direct(Wire.SHARE_HEADER + 4 * parameters);
    }

    /**
     * Connects to {@code host:port} and authenticates as {@code partition} of {@code attempt} of
     * {@code stage} with the run's {@code keys} (over TLS when they encrypt); fails with
     * {@link ServerUnreachableException} when the server cannot be reached.
     */
    public static ParameterClient connect(String host, int port, RunKeys keys, int partition, int attempt, int stage,
                                          int parameters, long connectMillis, long waitMillis,
                                          BooleanSupplier cancelled) throws IOException {
        return new ParameterClient(Wire.open("parameter server", host, port, keys, Wire.Hello.of(partition, attempt,
                stage), connectMillis, cancelled), host + ":" + port, parameters, waitMillis, cancelled);
    }

    /** The next step to compute, or null when the stage is over. */
    public Work next() throws IOException {
        return next(piece -> { });
    }

    /**
     * The next step to compute, or null when the stage is over; each piece of the frame (at most
     * {@link TreeNode#CHUNK} bytes) goes to {@code forward} as soon as it has arrived.
     */
    Work next(Wire.Sink forward) throws IOException {
        long deadline = System.nanoTime() + waitMillis * 1_000_000;
        String what = waitingForWork;
        work.clear().limit(5);
        link.readFully(work, deadline, cancelled, what);
        int length = work.getInt(0);
        byte type = work.get(4);
        if (type == Wire.END) {
            forward.accept(work.duplicate().flip());
            return null;
        }
        if (type == Wire.REJECT) {
            ByteBuffer text = ByteBuffer.allocate(Math.max(0, Math.min(length - 1, 4096)));
            link.readFully(text, deadline, cancelled, what);
            throw new IOException("the parameter server at " + server + " refused this task: "
                    + new String(text.array(), StandardCharsets.UTF_8));
        }
        WorkFrame.checkStart(length, type, weights.length, String.valueOf(server));
        for (int from = 0; from < work.capacity(); ) {
            int to = Math.min(work.capacity(), Math.max(WorkFrame.HEADER, from + TreeNode.CHUNK));
            work.limit(to);
            link.readFully(work, deadline, cancelled, what);
            forward.accept(work.duplicate().position(from).limit(to));
            from = to;
        }
        WorkFrame.Head head = WorkFrame.head(work, weights.length, "the server at " + server);
        WorkFrame.weights(work, weights);
        return new Work(head.step(), head.stepInEpoch(), weights);
    }

    /** Sends this task's share of step {@code step}. */
    public void send(long step, float[] gradient, LossStats stats, long computeNanos) throws IOException {
        send(step, gradient, stats, computeNanos, 0, 0);
    }

    /**
     * Sends the share of step {@code step} of a subtree of tasks, with its busiest node's bytes received
     * and sent in the step.
     */
    void send(long step, float[] gradient, LossStats stats, long computeNanos, long nodeIn, long nodeOut)
            throws IOException {
        if (gradient.length != weights.length) {
            throw new IllegalArgumentException("a gradient of " + gradient.length + " values for a network of "
                    + weights.length);
        }
        share.clear();
        share.putInt(share.capacity() - 4).put(Wire.SHARE).putLong(step).putDouble(stats.lossSum())
                .putLong(stats.count()).putLong(stats.correct()).putLong(computeNanos).putLong(nodeIn).putLong(nodeOut)
                .putInt(gradient.length);
        Wire.putFloats(share, Wire.SHARE_HEADER, gradient);
        share.clear();
        link.writeFully(share, System.nanoTime() + waitMillis * 1_000_000, cancelled,
                sendingShare);
    }

    @Override
    public void close() throws IOException {
        link.close();
    }
}
