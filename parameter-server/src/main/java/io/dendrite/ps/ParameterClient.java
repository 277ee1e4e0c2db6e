package io.dendrite.ps;

import io.dendrite.core.loss.LossStats;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;

/**
 * A long-lived task's end of a connection to the {@link ParameterServer}: it authenticates once, then
 * alternates {@link #next()} (the weights of the step to compute, or the end of the stage) and
 * {@link #send} (its share of that step). Buffers are reused, so a step allocates nothing. Every wait
 * ends at its deadline or when {@code cancelled} says the task was killed.
 */
public final class ParameterClient implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final String server;
    private final long waitMillis;
    private final BooleanSupplier cancelled;
    private final float[] weights;
    private final byte[] header = new byte[Wire.WORK_HEADER];
    private final byte[] payload;
    private final byte[] share;

    /** The step to compute: its number, its position in the epoch and the weights (reused between steps). */
    public record Work(long step, long stepInEpoch, float[] weights) {
    }

    private ParameterClient(Socket socket, String server, int parameters, long waitMillis, BooleanSupplier cancelled)
            throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
        this.server = server;
        this.waitMillis = waitMillis;
        this.cancelled = cancelled;
        this.weights = new float[parameters];
        this.payload = new byte[4 * parameters];
        this.share = new byte[Wire.SHARE_HEADER + 4 * parameters];
    }

    /**
     * Connects to {@code host:port} and authenticates as {@code partition} of {@code attempt} of
     * {@code stage}; fails with {@link ServerUnreachableException} when the server cannot be reached.
     */
    public static ParameterClient connect(String host, int port, byte[] secret, int partition, int attempt, int stage,
                                          int parameters, long connectMillis, long waitMillis,
                                          BooleanSupplier cancelled) throws IOException {
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            s.connect(new InetSocketAddress(host, port), (int) Math.min(Integer.MAX_VALUE, connectMillis));
        } catch (IOException e) {
            s.close();
            throw new ServerUnreachableException(host, port, connectMillis, e);
        }
        try {
            s.setSoTimeout(Wire.POLL_MILLIS);
            ParameterClient c = new ParameterClient(s, host + ":" + port, parameters, waitMillis, cancelled);
            byte[] challenge = new byte[4 + 1 + 4 + Wire.NONCE_BYTES];
            Wire.readFully(c.in, challenge, 0, challenge.length, System.nanoTime() + connectMillis * 1_000_000,
                    cancelled, "the parameter server's challenge from " + c.server);
            ByteBuffer b = Wire.le(challenge);
            b.getInt();
            byte type = b.get();
            int magic = b.getInt();
            if (type != Wire.CHALLENGE || magic != Wire.MAGIC) {
                throw new IOException(host + ":" + port + " is not a Dendrite parameter server (bad challenge)");
            }
            byte[] nonce = new byte[Wire.NONCE_BYTES];
            b.get(nonce);
            byte[] hello = new byte[Wire.HELLO_BYTES];
            Wire.le(hello).putInt(hello.length - 4).put(Wire.HELLO).putInt(partition).putInt(attempt).putInt(stage)
                    .put(Wire.mac(secret, nonce, partition, attempt, stage));
            Wire.write(c.out, hello, hello.length);
            return c;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /** The next step to compute, or null when the stage is over. */
    public Work next() throws IOException {
        long deadline = System.nanoTime() + waitMillis * 1_000_000;
        String what = "work from the parameter server at " + server;
        Wire.readFully(in, header, 0, 5, deadline, cancelled, what);
        ByteBuffer h = Wire.le(header);
        int length = h.getInt();
        byte type = h.get();
        if (type == Wire.END) {
            return null;
        }
        if (type == Wire.REJECT) {
            byte[] text = new byte[Math.max(0, Math.min(length - 1, 4096))];
            Wire.readFully(in, text, 0, text.length, deadline, cancelled, what);
            throw new IOException("the parameter server at " + server + " refused this task: "
                    + new String(text, StandardCharsets.UTF_8));
        }
        if (type != Wire.WORK || length != Wire.WORK_HEADER - 4 + payload.length) {
            throw new IOException("expected work of " + (Wire.WORK_HEADER - 4 + payload.length) + " bytes from "
                    + server + " but got frame type " + type + " of " + length + " bytes");
        }
        Wire.readFully(in, header, 5, Wire.WORK_HEADER - 5, deadline, cancelled, what);
        long step = h.getLong();
        long stepInEpoch = h.getLong();
        int n = h.getInt();
        if (n != weights.length) {
            throw new IOException("the server sent " + n + " weights but the network has " + weights.length);
        }
        Wire.readFully(in, payload, 0, payload.length, deadline, cancelled, what);
        Wire.getFloats(payload, 0, weights);
        return new Work(step, stepInEpoch, weights);
    }

    /** Sends this task's share of step {@code step}. */
    public void send(long step, float[] gradient, LossStats stats, long computeNanos) throws IOException {
        if (gradient.length != weights.length) {
            throw new IllegalArgumentException("a gradient of " + gradient.length + " values for a network of "
                    + weights.length);
        }
        Wire.le(share).putInt(share.length - 4).put(Wire.SHARE).putLong(step).putDouble(stats.lossSum())
                .putLong(stats.count()).putLong(stats.correct()).putLong(computeNanos).putInt(gradient.length);
        Wire.putFloats(share, Wire.SHARE_HEADER, gradient);
        Wire.write(out, share, share.length);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
