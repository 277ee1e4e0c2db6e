package io.dendrite.ps;

import io.dendrite.core.loss.LossStats;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * One task's connection on the server: a reader thread that authenticates the task and then turns its
 * frames into events for the training thread, and a writer thread that sends the frames queued for it,
 * so a slow or stuck task never blocks the training thread (whose waits all have deadlines).
 */
final class Connection {
    private static final byte[] CLOSE = new byte[0];

    private final ParameterServer server;
    private final Socket socket;
    private final int id;
    private final BlockingQueue<byte[]> outbox = new LinkedBlockingQueue<>();
    private final Thread reader;
    private final Thread writer;
    private volatile boolean closed;
    int partition = -1;
    int attempt = -1;
    int stage = -1;

    Connection(ParameterServer server, Socket socket, int id) {
        this.server = server;
        this.socket = socket;
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
        return String.valueOf(socket.getRemoteSocketAddress());
    }

    /** Queues a frame; a closed connection drops it. */
    void send(byte[] frame) {
        if (!closed) {
            outbox.add(frame);
        }
    }

    void close() {
        if (closed) {
            return;
        }
        closed = true;
        outbox.add(CLOSE);
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        server.forget(this);
    }

    private void read() {
        try {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(Wire.POLL_MILLIS);
            if (!handshake()) {
                return;
            }
            socket.setSoTimeout(0);
            writer.start();
            server.offer(new ParameterServer.Join(this));
            InputStream in = socket.getInputStream();
            int parameters = server.parameters();
            byte[] header = new byte[Wire.SHARE_HEADER];
            byte[] payload = new byte[4 * parameters];
            while (!closed) {
                Wire.readFully(in, header, 0, header.length, Wire.NO_DEADLINE, () -> closed, "a share");
                ByteBuffer h = Wire.le(header);
                int length = h.getInt();
                byte type = h.get();
                if (type != Wire.SHARE || length != Wire.SHARE_HEADER - 4 + payload.length) {
                    throw new IOException("expected a share frame of " + (Wire.SHARE_HEADER - 4 + payload.length)
                            + " bytes but got type " + type + " of " + length + " bytes");
                }
                long step = h.getLong();
                double lossSum = h.getDouble();
                long count = h.getLong();
                long correct = h.getLong();
                long nanos = h.getLong();
                int n = h.getInt();
                if (n != parameters) {
                    throw new IOException("a share of " + n + " values on a server for " + parameters);
                }
                Wire.readFully(in, payload, 0, payload.length, Wire.NO_DEADLINE, () -> closed, "a share");
                float[] gradient = server.borrow();
                Wire.getFloats(payload, 0, gradient);
                server.offer(new ParameterServer.Share(this, step, gradient, new LossStats(lossSum, count, correct),
                        nanos));
            }
        } catch (IOException | RuntimeException e) {
            if (!closed) {
                server.offer(new ParameterServer.Lost(this, e.getMessage()));
            }
        } finally {
            close();
        }
    }

    /** Challenges the task and checks its answer; a refusal is answered and logged, never silent. */
    private boolean handshake() throws IOException {
        OutputStream out = socket.getOutputStream();
        InputStream in = socket.getInputStream();
        byte[] nonce = Wire.nonce();
        byte[] challenge = new byte[4 + 1 + 4 + Wire.NONCE_BYTES];
        Wire.le(challenge).putInt(challenge.length - 4).put(Wire.CHALLENGE).putInt(Wire.MAGIC).put(nonce);
        Wire.write(out, challenge, challenge.length);
        byte[] hello = new byte[Wire.HELLO_BYTES];
        long deadline = System.nanoTime() + server.connectMillis() * 1_000_000;
        Wire.readFully(in, hello, 0, hello.length, deadline, () -> closed, "the task's hello");
        ByteBuffer h = Wire.le(hello);
        int length = h.getInt();
        byte type = h.get();
        int p = h.getInt();
        int a = h.getInt();
        int s = h.getInt();
        byte[] mac = new byte[Wire.MAC_BYTES];
        h.get(mac);
        String refusal = null;
        if (type != Wire.HELLO || length != Wire.HELLO_BYTES - 4) {
            refusal = "not a Dendrite task (bad hello frame)";
        } else if (!MessageDigest.isEqual(mac, Wire.mac(server.secret(), nonce, p, a, s))) {
            refusal = "authentication failed (wrong run secret)";
        } else if (p < 0 || p >= server.partitions()) {
            refusal = "partition " + p + " is outside [0, " + server.partitions() + ")";
        } else if (s != server.stage()) {
            refusal = "stage " + s + " is not the running stage " + server.stage();
        }
        if (refusal != null) {
            server.reject(this, refusal);
            byte[] r = Wire.rejectFrame(refusal);
            Wire.write(out, r, r.length);
            return false;
        }
        partition = p;
        attempt = a;
        stage = s;
        return true;
    }

    private void write() {
        try {
            OutputStream out = socket.getOutputStream();
            while (true) {
                byte[] frame = outbox.take();
                if (frame == CLOSE) {
                    return;
                }
                Wire.write(out, frame, frame.length);
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
