package io.dendrite.ps;

import io.dendrite.core.loss.LossStats;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.BooleanSupplier;

/**
 * One authenticated task's connection on the server ({@link Handshaker} did the handshake): a reader
 * thread that turns its frames into events for the training thread, and a writer thread that sends the
 * frames queued for it, so a slow or stuck task never blocks the training thread (whose waits all have
 * deadlines). Shares are read into one direct buffer per connection, so a step's gradient is copied once,
 * into its array.
 */
final class Connection {
    private static final ByteBuffer CLOSE = ByteBuffer.allocate(0);

    private final ParameterServer server;
    private final Link link;
    private final int id;
    private final BlockingQueue<ByteBuffer> outbox = new LinkedBlockingQueue<>();
    private final Thread reader;
    private final Thread writer;
    private volatile boolean closed;
    private final BooleanSupplier isClosed = () -> closed;
    final int partition;
    final int attempt;
    final int stage;

    /** The connection of the task {@code hello} authenticated (the welcome is sent). */
    Connection(ParameterServer server, Link link, Wire.Hello hello, int id) {
        this.server = server;
        this.link = link;
        this.id = id;
        this.partition = hello.task();
        this.attempt = hello.attempt();
        this.stage = hello.stage();
        this.reader = new Thread(this::read, "dendrite-ps-read-" + id);
        this.writer = new Thread(this::write, "dendrite-ps-write-" + id);
        reader.setDaemon(true);
        writer.setDaemon(true);
    }

    void start() {
        reader.start();
    }

    String remote() {
        return link.remote();
    }

    /** Queues a frame (its remaining bytes, read through a duplicate); a closed connection drops it. */
    void send(ByteBuffer frame) {
        if (!closed) {
            outbox.add(frame.duplicate());
        }
    }

    boolean isClosed() {
        return closed;
    }

    void close() {
        if (closed) {
            return;
        }
        closed = true;
        outbox.add(CLOSE);
        try {
            link.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        server.forget(this);
    }

    private void read() {
        try {
            writer.start();
            server.offer(new ParameterServer.Join(this));
            int parameters = server.parameters();
            ByteBuffer frame = Wire.direct(Wire.SHARE_HEADER + 4 * parameters);
            while (!closed) {
                frame.clear().limit(Wire.SHARE_HEADER);
                link.readFully(frame, Wire.NO_DEADLINE, isClosed, "a share");
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
                link.readFully(frame, Wire.NO_DEADLINE, isClosed, "a share");
                float[] gradient = server.borrow();
                Wire.getFloats(frame, Wire.SHARE_HEADER, gradient);
                server.offer(new ParameterServer.Share(this, step, gradient, new LossStats(lossSum, count, correct),
                        nanos, nodeIn, nodeOut));
            }
        } catch (IOException | RuntimeException e) {
            if (!closed) {
                server.offer(new ParameterServer.Lost(this, e.getMessage()));
            }
        } finally {
            close();
        }
    }

    private void write() {
        try {
            while (true) {
                ByteBuffer frame = outbox.take();
                if (frame == CLOSE) {
                    return;
                }
                link.writeFully(frame, Wire.NO_DEADLINE, isClosed, "a frame");
            }
        } catch (IOException e) {
            if (!closed) {
                server.offer(new ParameterServer.Lost(this, "sending failed: " + e.getMessage()));
            }
            close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "connection " + id + " (partition " + partition + ", attempt " + attempt + ", stage " + stage + ")";
    }
}
