package io.dendrite.ps;

import io.dendrite.core.loss.LossStats;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.BooleanSupplier;

/**
 * One task's connection on the server: a reader thread that authenticates the task and then turns its
 * frames into events for the training thread, and a writer thread that sends the frames queued for it,
 * so a slow or stuck task never blocks the training thread (whose waits all have deadlines). Shares are
 * read into one direct buffer per connection, so a step's gradient is copied once, into its array.
 */
final class Connection {
    private static final ByteBuffer CLOSE = ByteBuffer.allocate(0);

    private final ParameterServer server;
    private final SocketChannel channel;
    private final int id;
    private final BlockingQueue<ByteBuffer> outbox = new LinkedBlockingQueue<>();
    private final Thread reader;
    private final Thread writer;
    private Selector reads;
    private Selector writes;
    private volatile boolean closed;
    private final BooleanSupplier isClosed = () -> closed;
    int partition = -1;
    int attempt = -1;
    int stage = -1;

    Connection(ParameterServer server, SocketChannel channel, int id) {
        this.server = server;
        this.channel = channel;
        this.id = id;
        this.reader = new Thread(this::read, "dendrite-ps-read-" + id);
        this.writer = new Thread(this::write, "dendrite-ps-write-" + id);
        reader.setDaemon(true);
        writer.setDaemon(true);
    }

    void start() {
        reader.start();
    }

    String remote() {
        try {
            return String.valueOf(channel.getRemoteAddress());
        } catch (IOException e) {
            return "a closed connection";
        }
    }

    /** Queues a frame (its remaining bytes, read through a duplicate); a closed connection drops it. */
    void send(ByteBuffer frame) {
        if (!closed) {
            outbox.add(frame.duplicate());
        }
    }

    void close() {
        if (closed) {
            return;
        }
        closed = true;
        outbox.add(CLOSE);
        try {
            channel.close();
            if (reads != null) {
                reads.close();
                writes.close();
            }
        } catch (IOException ignored) {
            // closing anyway
        }
        server.forget(this);
    }

    private void read() {
        try {
            channel.socket().setTcpNoDelay(true);
            Selector[] selectors = Wire.selectors(channel);
            reads = selectors[0];
            writes = selectors[1];
            if (!handshake()) {
                return;
            }
            writer.start();
            server.offer(new ParameterServer.Join(this));
            int parameters = server.parameters();
            ByteBuffer frame = Wire.direct(Wire.SHARE_HEADER + 4 * parameters);
            while (!closed) {
                frame.clear().limit(Wire.SHARE_HEADER);
                Wire.readFully(channel, reads, frame, Wire.NO_DEADLINE, isClosed, "a share");
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
                Wire.readFully(channel, reads, frame, Wire.NO_DEADLINE, isClosed, "a share");
                float[] gradient = server.borrow();
                Wire.getFloats(frame, Wire.SHARE_HEADER, gradient);
                server.offer(new ParameterServer.Share(this, step, gradient, new LossStats(lossSum, count, correct),
                        nanos, nodeIn, nodeOut));
            }
        } catch (IOException | RuntimeException e) {
            if (!closed && partition >= 0) { // a peer that never authenticated was nobody's task
                server.offer(new ParameterServer.Lost(this, e.getMessage()));
            }
        } finally {
            close();
        }
    }

    /** Challenges the task and checks its answer; a refusal is answered and logged, never silent. */
    private boolean handshake() throws IOException {
        long deadline = System.nanoTime() + server.connectMillis() * 1_000_000;
        byte[] nonce = Wire.nonce();
        Wire.writeFully(channel, writes, Wire.challenge(nonce), deadline, isClosed, "the challenge");
        ByteBuffer h = Wire.le(new byte[Wire.HELLO_BYTES]);
        Wire.readFully(channel, reads, h, deadline, isClosed, "the task's hello");
        Wire.Hello hello = Wire.Hello.read(h.flip());
        int p = hello.task();
        int a = hello.attempt();
        int s = hello.stage();
        String refusal = null;
        if (!hello.wellFormed()) {
            refusal = "not a Dendrite task (bad hello frame)";
        } else if (!hello.authentic(server.secret(), nonce)) {
            refusal = "authentication failed (wrong run secret)";
        } else if (p < 0 || p >= server.partitions()) {
            refusal = "partition " + p + " is outside [0, " + server.partitions() + ")";
        } else if (s != server.stage()) {
            refusal = "stage " + s + " is not the running stage " + server.stage();
        }
        if (refusal != null) {
            server.reject(this, refusal);
            Wire.writeFully(channel, writes, Wire.rejectFrame(refusal), deadline, isClosed, "a refusal");
            return false;
        }
        Wire.writeFully(channel, writes, hello.welcome(server.secret(), nonce), deadline, isClosed, "the welcome");
        partition = p;
        attempt = a;
        stage = s;
        return true;
    }

    private void write() {
        try {
            while (true) {
                ByteBuffer frame = outbox.take();
                if (frame == CLOSE) {
                    return;
                }
                Wire.writeFully(channel, writes, frame, Wire.NO_DEADLINE, isClosed, "a frame");
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
