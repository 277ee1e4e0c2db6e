package io.dendrite.ps;

import io.dendrite.core.step.GradientAccumulator;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;

/**
 * An elastic task's end of its connection to the {@link ElasticServer}: it authenticates as the task of
 * its group, then alternates {@link #next} (shards to compute, with the weights of their step) and
 * {@link #send} (their results, as nodes of the fixed shard tree). Every wait ends at its deadline or when
 * {@code cancelled} says the task was killed.
 */
public final class ElasticClient implements AutoCloseable {
    private final Link link;
    private final String server;
    private final long waitMillis;
    private final BooleanSupplier cancelled;
    private final float[] weights;
    private final ByteBuffer work;
    private long step = -1;
    private long stepInEpoch;
    private ByteBuffer result;

    /** Shards to compute for step {@code step} (position {@code stepInEpoch} in the epoch) under {@code weights}. */
    public record Assignment(long step, long stepInEpoch, float[] weights, int[] shards) {
    }

    private ElasticClient(Link link, String server, int parameters, long waitMillis, BooleanSupplier cancelled) {
        this.link = link;
        this.server = server;
        this.waitMillis = waitMillis;
        this.cancelled = cancelled;
        this.weights = new float[parameters];
        this.work = Wire.direct(WorkFrame.bytes(parameters));
    }

    /**
     * Connects to {@code host:port} and authenticates as the task of group {@code group}, attempt
     * {@code attempt} of stage {@code stage}; fails with {@link ServerUnreachableException} when the server
     * cannot be reached.
     */
    public static ElasticClient connect(String host, int port, RunKeys keys, int group, int attempt, int stage,
                                        int parameters, long connectMillis, long waitMillis, BooleanSupplier cancelled)
            throws IOException {
        return new ElasticClient(Wire.open("elastic server", host, port, keys, Wire.Hello.of(group, attempt, stage),
                connectMillis, cancelled), host + ":" + port, parameters, waitMillis, cancelled);
    }

    /** The next shards to compute, or null when the stage is over. */
    public Assignment next() throws IOException {
        long deadline = System.nanoTime() + waitMillis * 1_000_000;
        String what = "work from the elastic server at " + server;
        while (true) {
            ByteBuffer head = Wire.le(new byte[5]);
            link.readFully(head, deadline, cancelled, what);
            int length = head.getInt(0);
            byte type = head.get(4);
            if (type == Wire.END) {
                return null;
            }
            if (type == Wire.WORK) {
                WorkFrame.checkStart(length, type, weights.length, "the elastic server at " + server);
                work.clear().position(5);
                link.readFully(work, deadline, cancelled, what);
                WorkFrame.Head h = WorkFrame.head(work, weights.length, "the elastic server at " + server);
                step = h.step();
                stepInEpoch = h.stepInEpoch();
                WorkFrame.weights(work, weights);
                continue;
            }
            if (type == Wire.ASSIGN && length >= 1 + 8 + 4 && length <= 1 + 8 + 4 + 4 * (1 << 20)) {
                ByteBuffer body = Wire.le(new byte[length - 1]);
                link.readFully(body, deadline, cancelled, what);
                long of = body.getLong(0);
                int count = body.getInt(8);
                if (of != step || count < 1 || length != 1 + 8 + 4 + 4 * count) {
                    throw new IOException("the elastic server at " + server + " assigned " + count + " shards of step "
                            + of + " while this task holds the weights of step " + step);
                }
                int[] shards = new int[count];
                for (int i = 0; i < count; i++) {
                    shards[i] = body.getInt(12 + 4 * i);
                }
                return new Assignment(step, stepInEpoch, weights, shards);
            }
            if (type == Wire.REJECT) {
                ByteBuffer text = ByteBuffer.allocate(Math.max(0, Math.min(length - 1, 4096)));
                link.readFully(text, deadline, cancelled, what);
                throw new IOException("the elastic server at " + server + " refused this task: "
                        + new String(text.array(), StandardCharsets.UTF_8));
            }
            throw new IOException("unexpected frame type " + type + " of " + length + " bytes from the elastic server at "
                    + server);
        }
    }

    /** Sends the results of the shards of the last assignment, {@code merged}, for step {@code forStep}. */
    public void send(long forStep, GradientAccumulator merged) throws IOException {
        result = TreeNode.Subtree.write(result, forStep, merged, 0, 0);
        link.writeFully(result, System.nanoTime() + waitMillis * 1_000_000, cancelled, "a result to " + server);
    }

    @Override
    public void close() throws IOException {
        link.close();
    }
}
