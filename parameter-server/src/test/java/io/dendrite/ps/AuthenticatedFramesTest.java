package io.dendrite.ps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * In HMAC mode (no TLS) every frame after the handshake is authenticated, not only the handshake: a peer on
 * the path that alters a byte of the weights, or replays a record, makes the receiving end fail the
 * connection, naming the record, instead of computing on forged weights.
 */
class AuthenticatedFramesTest {
    private static final int PARAMS = 4096;
    /** What the server sends before its first record: the challenge and the welcome, in the clear. */
    private static final int CLEAR_BYTES = Wire.CHALLENGE_BYTES + Wire.WELCOME_BYTES;
    private final ExecutorService pool = Executors.newCachedThreadPool();

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    /**
     * Runs one task against a server through a proxy that passes the task's bytes as they are and gives the task
     * what {@code downward} makes of the server's whole stream so far; returns how the task ended.
     */
    private Throwable taskThroughProxy(UnaryOperator<byte[]> downward) throws Exception {
        RunKeys keys = RunKeys.authenticated();
        try (ParameterServer s = ParameterServer.start(new ServerSettings("127.0.0.1", "127.0.0.1", 0, 0, 2000, 4000),
                keys, 1, PARAMS); ServerSocket proxy = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            s.beginStage(0);
            pool.submit(() -> {
                try (Socket in = proxy.accept(); Socket out = new Socket("127.0.0.1", s.port())) {
                    pool.submit(() -> in.getInputStream().transferTo(out.getOutputStream()));
                    tamper(out.getInputStream(), in.getOutputStream(), downward);
                }
                return null;
            });
            Future<Long> task = pool.submit(() -> {
                long steps = 0;
                try (ParameterClient c = ParameterClient.connect("127.0.0.1", proxy.getLocalPort(), keys, 0, 0, 0,
                        PARAMS, 2000, 4000, () -> Thread.currentThread().isInterrupted())) {
                    ParameterClient.Work w;
                    while ((w = c.next()) != null) {
                        c.send(w.step(), w.weights(), new io.dendrite.core.loss.LossStats(1, 1, 0), 1);
                        steps++;
                    }
                }
                return steps;
            });
            try {
                for (long step = 0; step < 2 && !task.isDone(); step++) {
                    s.exchange(step, step, new float[PARAMS], () -> task.isDone() ? new IllegalStateException("gone")
                            : null);
                }
                s.endStage(task::isDone, () -> null);
            } catch (RuntimeException e) {
                // the task is gone: what it said is the point
            }
            try {
                task.get(20, TimeUnit.SECONDS);
                return null;
            } catch (ExecutionException e) {
                return e.getCause();
            }
        }
    }

    /** Copies the server's bytes to the task, each chunk as {@code transform} rewrites everything so far. */
    private static void tamper(InputStream from, OutputStream to, UnaryOperator<byte[]> transform) throws IOException {
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        int sent = 0;
        byte[] buf = new byte[8192];
        int n;
        while ((n = from.read(buf)) > 0) {
            seen.write(buf, 0, n);
            byte[] now = transform.apply(seen.toByteArray());
            if (now.length > sent) {
                to.write(now, sent, now.length - sent);
                to.flush();
                sent = now.length;
            }
        }
    }

    /** The length of the record at {@code at} (its payload bytes). */
    private static int recordLength(byte[] b, int at) {
        return ByteBuffer.wrap(b, at, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
    }

    @Test
    void anUntouchedStreamTrainsAndAlteredOrReplayedRecordsFailTheConnection() throws Exception {
        assertEquals(null, taskThroughProxy(b -> b), "through an honest proxy the steps run");

        // One weight's byte flipped inside the first work frame.
        Throwable altered = taskThroughProxy(b -> {
            int at = CLEAR_BYTES + FrameSeal.HEADER + WorkFrame.HEADER + 100;
            if (b.length > at) {
                b = b.clone();
                b[at] ^= 0x40;
            }
            return b;
        });
        assertTrue(altered instanceof IOException && altered.getMessage().contains("record 0 server to task from")
                && altered.getMessage().contains("failed its authentication"), String.valueOf(altered));

        // The first record delivered twice: the copy arrives where record 1 should.
        Throwable replayed = taskThroughProxy(b -> {
            if (b.length < CLEAR_BYTES + FrameSeal.HEADER) {
                return java.util.Arrays.copyOf(b, Math.min(b.length, CLEAR_BYTES)); // the handshake goes on
            }
            int end = CLEAR_BYTES + FrameSeal.HEADER + recordLength(b, CLEAR_BYTES) + FrameSeal.TAG;
            if (b.length < end) {
                return java.util.Arrays.copyOf(b, CLEAR_BYTES);
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write(b, 0, end);
            out.write(b, CLEAR_BYTES, end - CLEAR_BYTES);
            out.write(b, end, b.length - end);
            return out.toByteArray();
        });
        assertTrue(replayed instanceof IOException && replayed.getMessage().contains("record 1 server to task from")
                && replayed.getMessage().contains("failed its authentication"), String.valueOf(replayed));
    }
}
