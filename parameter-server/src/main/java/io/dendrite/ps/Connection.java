package io.dendrite.ps;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.BooleanSupplier;

/**
 * One authenticated task's connection on a server ({@link Handshaker} did the handshake): a reader thread
 * that hands its frames to the server ({@link Owner#read}) as events for the training thread, and a writer
 * thread that sends the frames queued for it, so a slow or stuck task never blocks the training thread
 * (whose waits all have deadlines).
 */
final class Connection {
    private static final ByteBuffer CLOSE = ByteBuffer.allocate(0);

    /** The server a connection belongs to: what it is told, and how it reads one frame. */
    interface Owner {
        /** The connection is ready (its threads run). */
        void joined(Connection c);

        /** Reads the task's next frame from {@code link} and passes it on; {@code closed} cancels the wait. */
        void read(Connection c, Link link, BooleanSupplier closed) throws IOException;

        /** The connection failed while open, for {@code why}. */
        void lost(Connection c, String why);

        /** The connection is closed. */
        void forget(Connection c);
    }

    private final Owner server;
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
    /** Scratch the owner keeps per connection (e.g. the buffer its frames are read into). */
    Object scratch;

    Connection(Owner server, Link link, Wire.Hello hello, int id) {
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
            server.joined(this);
            while (!closed) {
                server.read(this, link, isClosed);
            }
        } catch (IOException | RuntimeException e) {
            if (!closed) {
                server.lost(this, e.getMessage() != null ? e.getMessage() : e.toString());
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
                server.lost(this, "sending failed: " + e.getMessage());
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
