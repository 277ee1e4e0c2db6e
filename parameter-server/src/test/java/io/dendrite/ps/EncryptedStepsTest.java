package io.dendrite.ps;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dendrite.core.loss.LossStats;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Steps over TLS ({@link RunKeys#encrypted}) on real loopback sockets: what crosses the wire, and the peers
 * that are refused (another run's certificate, plaintext, a rogue server) while the run goes on.
 */
class EncryptedStepsTest {
    private static final int PARAMS = 4096;
    private final ExecutorService pool = Executors.newCachedThreadPool();
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        pool.shutdownNow();
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    private ParameterServer server(RunKeys keys, int partitions) throws IOException {
        ParameterServer s = ParameterServer.start(new ServerSettings("127.0.0.1", "127.0.0.1", 0, 0, 1500, 10_000),
                keys, partitions, PARAMS);
        open.add(s);
        return s;
    }

    /** A task of partition {@code p} connecting to {@code port} whose share is its weights times p + 1. */
    private Future<Integer> task(int port, RunKeys keys, int p, int steps) {
        return pool.submit(() -> {
            int done = 0;
            try (ParameterClient c = ParameterClient.connect("127.0.0.1", port, keys, p, 0, 0, PARAMS, 2000, 10_000,
                    () -> Thread.currentThread().isInterrupted())) {
                ParameterClient.Work w;
                while (done < steps && (w = c.next()) != null) {
                    float[] g = new float[PARAMS];
                    for (int i = 0; i < PARAMS; i++) {
                        g[i] = w.weights()[i] * (p + 1);
                    }
                    c.send(w.step(), g, new LossStats(1, 1, 0), 1);
                    done++;
                }
            }
            return done;
        });
    }

    private static float[] weights(long step) {
        float[] w = new float[PARAMS];
        for (int i = 0; i < PARAMS; i++) {
            w[i] = (float) Math.cos(i * 0.113 + step) / 7f;
        }
        return w;
    }

    /** Runs two steps of one task through a recording proxy and returns every byte both ways. */
    private byte[] recordTwoSteps(RunKeys keys) throws Exception {
        ParameterServer s = server(keys, 1);
        s.beginStage(0);
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        recordTwoSteps(s, keys, wire, wire);
        synchronized (wire) {
            return wire.toByteArray();
        }
    }

    /** Two steps of one task through a proxy recording what the task sends and what the server sends. */
    private void recordTwoSteps(ParameterServer s, RunKeys keys, ByteArrayOutputStream upward,
                                ByteArrayOutputStream downward) throws Exception {
        try (ServerSocket proxy = new ServerSocket(0, 5, InetAddress.getByName("127.0.0.1"))) {
            pool.submit(() -> {
                try (Socket in = proxy.accept(); Socket out = new Socket("127.0.0.1", s.port())) {
                    Future<?> up = pool.submit(() -> copy(in.getInputStream(), out.getOutputStream(), upward));
                    copy(out.getInputStream(), in.getOutputStream(), downward);
                    up.get(10, TimeUnit.SECONDS);
                }
                return null;
            });
            Future<Integer> t = task(proxy.getLocalPort(), keys, 0, 2);
            for (long step = 0; step < 2; step++) {
                float[] w = weights(step);
                float[] g = s.exchange(step, step, w, () -> null).merged().total().gradient();
                assertArrayEquals(w, g, "step " + step + " went through the proxy intact");
            }
            s.endStage(t::isDone, () -> null);
            assertEquals(2, t.get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void theRunCertificateHoldsOnAClockHoursOrYearsOffSoSkewNeverFailsAHandshake() throws Exception {
        // The trust managers check the peer's certificate against their own machine's clock: an executor an hour
        // (or a month) behind the driver that made the certificate must still accept it.
        java.security.cert.X509Certificate cert = RunKeys.encrypted().certificate();
        java.time.Instant now = java.time.Instant.now();
        for (java.time.Duration off : List.of(java.time.Duration.ofHours(-1), java.time.Duration.ofDays(-30),
                java.time.Duration.ofDays(365), java.time.Duration.ofDays(-3650))) {
            cert.checkValidity(java.util.Date.from(now.plus(off)));
        }
        org.junit.jupiter.api.Assertions.assertNull(RunKeys.authenticated().certificate());
    }

    @Test
    void aReplayedTlsSessionIsRefused() throws Exception {
        RunKeys keys = RunKeys.encrypted();
        ParameterServer s = server(keys, 1);
        s.beginStage(0);
        ByteArrayOutputStream upward = new ByteArrayOutputStream();
        recordTwoSteps(s, keys, upward, new ByteArrayOutputStream());
        byte[] recorded;
        synchronized (upward) {
            recorded = upward.toByteArray();
        }
        long before = s.rejectedConnections();
        try (Socket replay = new Socket("127.0.0.1", s.port())) {
            replay.setSoTimeout(5000);
            replay.getOutputStream().write(recorded); // the whole session the genuine task sent, byte for byte
            replay.getInputStream().readAllBytes(); // the server's flight, an alert, then the server closes
        } catch (java.net.SocketException reset) {
            // the server may reset the connection while the replay is still being written
        }
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (s.rejectedConnections() == before && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(before + 1, s.rejectedConnections(), "the replayed session was refused");
    }

    private static Void copy(InputStream from, OutputStream to, ByteArrayOutputStream record) throws IOException {
        byte[] buf = new byte[8192];
        for (int n; (n = from.read(buf)) > 0; ) {
            synchronized (record) {
                record.write(buf, 0, n);
            }
            to.write(buf, 0, n);
        }
        to.close();
        return null;
    }

    /** Whether {@code haystack} holds the first 16 weights of {@code w} as the wire format writes them. */
    private static boolean holds(byte[] haystack, float[] w) {
        ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 16; i++) {
            b.putFloat(w[i]);
        }
        return indexOf(haystack, b.array()) >= 0;
    }

    @Test
    void encryptedStepsCarryNoPlaintextWeightsOrProtocolWhilePlainStepsDo() throws Exception {
        byte[] plain = recordTwoSteps(RunKeys.authenticated());
        byte[] tls = recordTwoSteps(RunKeys.encrypted());
        assertTrue(holds(plain, weights(0)) && holds(plain, weights(1)), "the check finds plaintext weights");
        assertTrue(tls.length > 2 * 4 * PARAMS * 2, "both steps crossed the proxy: " + tls.length + " bytes");
        assertFalse(holds(tls, weights(0)) || holds(tls, weights(1)), "weights in the clear on an encrypted link");
        byte[] magic = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(Wire.MAGIC).array();
        assertTrue(indexOf(plain, magic) >= 0);
        assertEquals(-1, indexOf(tls, magic), "the step protocol's challenge in the clear");
        assertEquals(0x16, tls[0], "the first byte of a TLS handshake record");
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    @Test
    void aPeerWithAnotherRunsCertificateOrNoneIsRefusedAndTheRunGoesOn() throws Exception {
        RunKeys keys = RunKeys.encrypted();
        ParameterServer s = server(keys, 2);
        s.beginStage(0);
        IOException foreign = assertThrows(IOException.class, () -> ParameterClient.connect("127.0.0.1", s.port(),
                RunKeys.encrypted(), 0, 0, 0, PARAMS, 2000, 2000, () -> false));
        assertTrue(foreign.getMessage().contains("TLS handshake"), foreign.getMessage());
        // A plaintext client waits for a challenge that never comes in the clear, and gives up.
        assertThrows(IOException.class, () -> ParameterClient.connect("127.0.0.1", s.port(), RunKeys.authenticated(),
                1, 0, 0, PARAMS, 1000, 1000, () -> false));
        // A peer speaking plaintext first is refused by the TLS handshake at once.
        try (Socket junk = new Socket("127.0.0.1", s.port())) {
            junk.setSoTimeout(5000);
            junk.getOutputStream().write(Wire.hello(keys.secret(), new byte[Wire.NONCE_BYTES], Wire.Hello.of(1, 0, 0),
                    0).array());
            junk.getInputStream().readAllBytes(); // a TLS alert, then the server closes
        }
        assertTrue(s.rejectedConnections() >= 2, "refusals counted: " + s.rejectedConnections());
        task(s.port(), keys, 0, 1);
        task(s.port(), keys, 1, 1);
        float[] w = weights(3);
        float[] g = s.exchange(0, 0, w, () -> null).merged().total().gradient();
        for (int i = 0; i < PARAMS; i++) {
            assertEquals(3 * w[i], g[i], 1e-6f * Math.abs(w[i]) + 1e-7f, "value " + i);
        }
    }

    @Test
    void aRogueServerWithItsOwnCertificateIsRefusedByTheTask() throws Exception {
        ParameterServer rogue = server(RunKeys.encrypted(), 1);
        rogue.beginStage(0);
        IOException e = assertThrows(IOException.class, () -> ParameterClient.connect("127.0.0.1", rogue.port(),
                RunKeys.encrypted(), 0, 0, 0, PARAMS, 2000, 2000, () -> false));
        assertTrue(e.getMessage().contains("TLS handshake"), e.getMessage());
    }

    @Test
    void silentPeersOnAnEncryptedPortGetNoThreadAndDoNotHoldTasksUp() throws Exception {
        RunKeys keys = RunKeys.encrypted();
        ParameterServer s = server(keys, 1);
        s.beginStage(0);
        int threadsBefore = Thread.activeCount();
        List<Socket> silent = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            silent.add(new Socket("127.0.0.1", s.port()));
        }
        Thread.sleep(300);
        assertTrue(Thread.activeCount() - threadsBefore < 5, "threads grew from " + threadsBefore + " to "
                + Thread.activeCount() + " for 40 silent peers");
        long t0 = System.nanoTime();
        task(s.port(), keys, 0, 1);
        float[] w = weights(1);
        assertArrayEquals(w, s.exchange(0, 0, w, () -> null).merged().total().gradient());
        assertTrue((System.nanoTime() - t0) / 1e9 < 1.2, "the task joined behind 40 silent peers in "
                + (System.nanoTime() - t0) / 1e9 + " s");
        for (Socket p : silent) {
            p.close();
        }
    }
}
