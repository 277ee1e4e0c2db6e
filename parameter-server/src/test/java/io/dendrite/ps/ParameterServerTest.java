package io.dendrite.ps;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dendrite.core.loss.LossStats;
import io.dendrite.core.step.GradientAccumulator;
import io.dendrite.core.step.Steps;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The server and client over real loopback sockets, without Spark. */
class ParameterServerTest {
    private static final int PARAMS = 1000;
    private final ExecutorService tasks = Executors.newCachedThreadPool();
    private final List<ParameterServer> servers = new ArrayList<>();

    @AfterEach
    void stop() {
        tasks.shutdownNow();
        servers.forEach(ParameterServer::close);
    }

    private ParameterServer server(RunKeys keys, int partitions, long stepMillis) throws IOException {
        ParameterServer s = ParameterServer.start(new ServerSettings("127.0.0.1", "127.0.0.1", 0, 0, 2000, stepMillis),
                keys, partitions, PARAMS);
        servers.add(s);
        return s;
    }

    /** A task whose share of a step is its weights times (partition + 1 + attempt/10), over `rows` rows. */
    private Future<Integer> task(ParameterServer s, RunKeys keys, int partition, int attempt, int stage, int steps) {
        return tasks.submit(() -> {
            int done = 0;
            try (ParameterClient c = ParameterClient.connect(s.host(), s.port(), keys, partition, attempt, stage,
                    PARAMS, 2000, 5000, () -> Thread.currentThread().isInterrupted())) {
                ParameterClient.Work w;
                while (done < steps && (w = c.next()) != null) {
                    float[] g = new float[PARAMS];
                    for (int i = 0; i < PARAMS; i++) {
                        g[i] = w.weights()[i] * (partition + 1 + attempt / 10f);
                    }
                    c.send(w.step(), g, new LossStats(0.5 * (partition + 1), partition + 1, partition), 1000);
                    done++;
                }
            }
            return done;
        });
    }

    private static float[] weights(long step) {
        float[] w = new float[PARAMS];
        for (int i = 0; i < PARAMS; i++) {
            w[i] = (float) Math.sin(i * 0.37 + step) / 3f;
        }
        return w;
    }

    private static float[] expected(float[] w, int partitions, int attempt) {
        GradientAccumulator a = GradientAccumulator.empty(partitions);
        for (int p = partitions - 1; p >= 0; p--) {
            float[] g = new float[PARAMS];
            for (int i = 0; i < PARAMS; i++) {
                g[i] = w[i] * (p + 1 + attempt / 10f);
            }
            a.mergeInPlace(GradientAccumulator.ofPartition(partitions, p, g, LossStats.EMPTY, 0));
        }
        return a.total().gradient();
    }

    @Test
    void stepsMergeEveryShareInTheFixedTreeAndEndTheStage() throws Exception {
        RunKeys keys = RunKeys.authenticated();
        ParameterServer s = server(keys, 3, 10_000);
        s.beginStage(0);
        List<Future<Integer>> running = new ArrayList<>();
        for (int p = 0; p < 3; p++) {
            running.add(task(s, keys, p, 0, 0, Integer.MAX_VALUE));
        }
        for (long step = 0; step < 5; step++) {
            float[] w = weights(step);
            GradientAccumulator.Node total = s.exchange(step, step, w, () -> null).merged().total();
            assertArrayEquals(expected(w, 3, 0), total.gradient(), "step " + step);
            assertEquals(new LossStats(3.0, 6, 3), total.stats());
        }
        s.endStage(() -> running.stream().allMatch(Future::isDone), () -> null);
        for (Future<Integer> f : running) {
            assertEquals(5, f.get(5, TimeUnit.SECONDS));
        }
    }

    @Test
    void aWrongSecretIsRefusedAndTheRunGoesOn() throws Exception {
        RunKeys keys = RunKeys.authenticated();
        ParameterServer s = server(keys, 2, 10_000);
        s.beginStage(0);
        RunKeys wrong = RunKeys.authenticated();
        IOException e = assertThrows(IOException.class, () -> ParameterClient.connect(s.host(), s.port(), wrong, 0, 0,
                0, PARAMS, 2000, 5000, () -> false));
        assertTrue(e.getMessage().contains("refused this task: authentication failed"), e.getMessage());
        assertEquals(1, s.rejectedConnections());
        task(s, keys, 0, 0, 0, 1);
        task(s, keys, 1, 0, 0, 1);
        float[] w = weights(0);
        assertArrayEquals(expected(w, 2, 0), s.exchange(0, 0, w, () -> null).merged().total().gradient());
    }

    @Test
    void unauthenticatedPeersGetNoThreadAndAFloodPushesOutOnlyTheOldest() throws Exception {
        RunKeys keys = RunKeys.authenticated();
        ParameterServer s = ParameterServer.start(new ServerSettings("127.0.0.1", "127.0.0.1", 0, 0, 10_000, 10_000),
                keys, 2, PARAMS);
        servers.add(s);
        s.beginStage(0);
        long threadsBefore = Thread.getAllStackTraces().size();
        // 100 silent connections: the server holds at most 64 awaiting authentication, pushing out the oldest.
        List<java.net.Socket> silent = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            java.net.Socket p = new java.net.Socket("127.0.0.1", s.port());
            p.setSoTimeout(20);
            silent.add(p);
        }
        Thread.sleep(300);
        int pushedOut = 0;
        for (java.net.Socket p : silent) {
            p.getInputStream().readNBytes(Wire.CHALLENGE_BYTES);
            try {
                pushedOut += p.getInputStream().read() < 0 ? 1 : 0;
            } catch (java.net.SocketTimeoutException stillWaiting) {
                // held until its connect timeout
            }
        }
        assertEquals(36, pushedOut, "the oldest 36 of 100 are pushed out at once, 64 wait");
        long threadsNow = Thread.getAllStackTraces().size();
        assertTrue(threadsNow - threadsBefore < 5, "threads grew from " + threadsBefore + " to " + threadsNow);
        assertEquals(0, Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("dendrite-ps-read-")).count(), "reader threads of silent peers");
        // Real tasks still get in and step.
        task(s, keys, 0, 0, 0, 1);
        task(s, keys, 1, 0, 0, 1);
        float[] w = weights(0);
        assertArrayEquals(expected(w, 2, 0), s.exchange(0, 0, w, () -> null).merged().total().gradient());
        for (java.net.Socket p : silent) {
            p.close();
        }
    }

    @Test
    void aRogueServerWithoutTheSecretIsRefusedByTheTask() throws Exception {
        // Listens like a parameter server and welcomes everyone, but cannot know the run's secret.
        try (java.net.ServerSocket rogue = new java.net.ServerSocket(0, 5,
                java.net.InetAddress.getByName("127.0.0.1"))) {
            Future<?> serve = tasks.submit(() -> {
                try (java.net.Socket t = rogue.accept()) {
                    t.getOutputStream().write(Wire.challenge(Wire.nonce()).array());
                    t.getInputStream().readNBytes(Wire.HELLO_BYTES);
                    t.getOutputStream().write(Wire.le(new byte[Wire.WELCOME_BYTES]).putInt(Wire.WELCOME_BYTES - 4)
                            .put(Wire.WELCOME).array()); // a welcome with a forged (zero) HMAC
                    t.getInputStream().read(); // until the task hangs up
                }
                return null;
            });
            IOException e = assertThrows(IOException.class, () -> ParameterClient.connect("127.0.0.1",
                    rogue.getLocalPort(), RunKeys.authenticated(), 0, 0, 0, PARAMS, 2000, 2000, () -> false));
            assertTrue(e.getMessage().contains("did not prove that it holds this run's secret"), e.getMessage());
            serve.get(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void aReplayedHelloIsRefused() throws Exception {
        RunKeys keys = RunKeys.authenticated();
        ParameterServer s = server(keys, 1, 10_000);
        s.beginStage(0);
        // A genuine hello, recorded off the wire, answers one connection's challenge only.
        byte[] recorded;
        try (java.net.Socket first = new java.net.Socket("127.0.0.1", s.port())) {
            byte[] challenge = first.getInputStream().readNBytes(Wire.CHALLENGE_BYTES);
            recorded = Wire.hello(keys.secret(), Wire.nonceOf(Wire.le(challenge)), Wire.Hello.of(0, 0, 0), 0).array();
        }
        try (java.net.Socket replay = new java.net.Socket("127.0.0.1", s.port())) {
            replay.setSoTimeout(5000);
            replay.getInputStream().readNBytes(Wire.CHALLENGE_BYTES);
            replay.getOutputStream().write(recorded);
            byte[] reply = replay.getInputStream().readAllBytes();
            assertEquals(Wire.REJECT, reply[4]);
            String text = new String(reply, 5, reply.length - 5, java.nio.charset.StandardCharsets.UTF_8);
            assertTrue(text.contains("authentication failed"), text);
        }
        // The genuine task still joins and steps.
        task(s, keys, 0, 0, 0, 1);
        float[] w = weights(0);
        assertArrayEquals(expected(w, 1, 0), s.exchange(0, 0, w, () -> null).merged().total().gradient());
    }

    @Test
    void somethingThatIsNotATaskIsRefusedAndOneThatSaysNothingIsDropped() throws Exception {
        ParameterServer s = server(RunKeys.authenticated(), 1, 10_000);
        s.beginStage(0);
        try (java.net.Socket garbage = new java.net.Socket("127.0.0.1", s.port());
             java.net.Socket silent = new java.net.Socket("127.0.0.1", s.port())) {
            garbage.setSoTimeout(5000);
            silent.setSoTimeout(5000);
            garbage.getInputStream().readNBytes(4 + 1 + 4 + Wire.NONCE_BYTES); // the challenge
            garbage.getOutputStream().write(new byte[Wire.HELLO_BYTES]);
            byte[] reply = garbage.getInputStream().readAllBytes(); // the refusal, then the server closes
            String text = new String(reply, 5, reply.length - 5, java.nio.charset.StandardCharsets.UTF_8);
            assertEquals(Wire.REJECT, reply[4]);
            assertTrue(text.contains("not a Dendrite task"), text);
            // the silent one gets the challenge, then is dropped once the 2 s connect timeout passes
            long t0 = System.nanoTime();
            silent.getInputStream().readAllBytes();
            double seconds = (System.nanoTime() - t0) / 1e9;
            assertTrue(seconds > 1 && seconds < 4.5, "dropped after " + seconds + " s");
        }
        assertEquals(1, s.rejectedConnections());
    }

    @Test
    void aNewAttemptReplacesTheSharesOfTheOldOne() throws Exception {
        RunKeys keys = RunKeys.authenticated();
        ParameterServer s = server(keys, 2, 10_000);
        s.beginStage(4);
        // attempt 0: partition 0 computes step 0, partition 1 connects and dies before sending
        Future<Integer> first = task(s, keys, 0, 0, 4, 1);
        ParameterClient dying = ParameterClient.connect(s.host(), s.port(), keys, 1, 0, 4, PARAMS, 2000, 5000,
                () -> false);
        float[] w = weights(7);
        Future<Steps.Result> step = tasks.submit(() -> s.exchange(7, 0, w, () -> null));
        assertEquals(7, dying.next().step());
        assertEquals(1, first.get(5, TimeUnit.SECONDS));
        dying.close();
        // attempt 1 of the stage (as Spark's scheduler reports it): both partitions again
        s.attemptLaunched(4, 1);
        task(s, keys, 0, 1, 4, 1);
        task(s, keys, 1, 1, 4, 1);
        assertArrayEquals(expected(w, 2, 1), step.get(10, TimeUnit.SECONDS).merged().total().gradient());
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void anAttemptSparkHasNotLaunchedIsRefusedAndLocksNobodyOut(boolean encrypted) throws Exception {
        RunKeys keys = encrypted ? RunKeys.encrypted() : RunKeys.authenticated();
        ParameterServer s = server(keys, 2, 10_000);
        s.beginStage(0);
        // A peer holding the secret claims the highest attempt there is, which Spark never launched.
        ParameterClient forger = ParameterClient.connect(s.host(), s.port(), keys, 0, Integer.MAX_VALUE, 0, PARAMS,
                2000, 5000, () -> false);
        task(s, keys, 0, 0, 0, 1);
        task(s, keys, 1, 0, 0, 1);
        float[] w = weights(0);
        assertArrayEquals(expected(w, 2, 0), s.exchange(0, 0, w, () -> null).merged().total().gradient());
        // Refused once the connect timeout (2 s) passes without Spark reporting that attempt.
        Future<?> next = tasks.submit(() -> s.exchange(1, 1, weights(1), () -> null));
        IOException e = assertThrows(IOException.class, forger::next);
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        assertEquals(1, s.rejectedConnections());
        next.cancel(true);
        forger.close();
    }

    @Test
    void aMissingPartitionFailsTheStepAtItsTimeoutNamingIt() throws Exception {
        RunKeys keys = RunKeys.authenticated();
        ParameterServer s = server(keys, 2, 600);
        s.beginStage(0);
        task(s, keys, 0, 0, 0, Integer.MAX_VALUE);
        long t0 = System.nanoTime();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> s.exchange(0, 0, weights(0), () -> null));
        assertTrue(e.getMessage().contains("partitions without a share: [1]"), e.getMessage());
        assertTrue(e.getMessage().contains("connected: [0]"), e.getMessage());
        assertTrue((System.nanoTime() - t0) / 1e9 < 5, "the timeout is 600 ms");
    }

    @Test
    void aPortScannerDoesNotKeepAStuckStepPastItsDeadline() throws Exception {
        RunKeys keys = RunKeys.authenticated();
        ParameterServer s = server(keys, 2, 1000);
        s.beginStage(0);
        task(s, keys, 0, 0, 0, Integer.MAX_VALUE);
        // Every 100 ms: a connection closed at once, one sending junk, one with the wrong secret.
        Future<?> scanner = tasks.submit(() -> {
            for (int i = 0; !Thread.currentThread().isInterrupted(); i++) {
                try (java.net.Socket probe = new java.net.Socket("127.0.0.1", s.port())) {
                    if (i % 3 == 1) {
                        probe.getOutputStream().write(new byte[64]);
                    } else if (i % 3 == 2) {
                        ParameterClient.connect(s.host(), s.port(), RunKeys.authenticated(), 1, 0, 0, PARAMS, 500,
                                500, () -> false).close();
                    }
                } catch (IOException expected) {
                    // refused, as it should be
                }
                Thread.sleep(100);
            }
            return null;
        });
        long t0 = System.nanoTime();
        Future<?> step = tasks.submit(() -> s.exchange(0, 0, weights(0), () -> null));
        java.util.concurrent.ExecutionException e = assertThrows(java.util.concurrent.ExecutionException.class,
                () -> step.get(20, TimeUnit.SECONDS));
        double seconds = (System.nanoTime() - t0) / 1e9;
        scanner.cancel(true);
        assertTrue(e.getCause().getMessage().contains("partitions without a share: [1]"), e.getCause().getMessage());
        assertTrue(seconds < 4, "a 1000 ms step deadline held for " + seconds + " s under the scan");
        assertTrue(s.rejectedConnections() > 0, "the scan should have been refused");
    }

    @Test
    void aFailureReportedWhileWaitingIsThrown() throws Exception {
        ParameterServer s = server(RunKeys.authenticated(), 2, 60_000);
        s.beginStage(0);
        RuntimeException failure = new IllegalStateException("the stage failed");
        assertEquals(failure, assertThrows(IllegalStateException.class,
                () -> s.exchange(0, 0, weights(0), () -> failure)));
    }

    @Test
    void aClosedPortIsReportedNamingHostAndPort() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        int closed = port;
        ServerUnreachableException e = assertThrows(ServerUnreachableException.class, () -> ParameterClient.connect(
                "127.0.0.1", closed, RunKeys.authenticated(), 0, 0, 0, PARAMS, 1000, 1000, () -> false));
        assertTrue(e.getMessage().contains("127.0.0.1:" + closed), e.getMessage());
    }

    @Test
    void aTaskWaitingForWorkGivesUpAtItsDeadline() throws Exception {
        RunKeys keys = RunKeys.authenticated();
        ParameterServer s = server(keys, 2, 60_000);
        s.beginStage(0);
        try (ParameterClient c = ParameterClient.connect(s.host(), s.port(), keys, 0, 0, 0, PARAMS, 2000, 500,
                () -> false)) {
            IOException e = assertThrows(IOException.class, c::next);
            assertTrue(e.getMessage().contains("no work from the parameter server at 127.0.0.1:" + s.port()),
                    e.getMessage());
        }
    }

    @Test
    void aBusyPortMovesToTheNextInTheRange() throws Exception {
        try (ServerSocket taken = new ServerSocket(0)) {
            int port = taken.getLocalPort();
            if (port >= 65535) {
                return;
            }
            ParameterServer s = ParameterServer.start(new ServerSettings("127.0.0.1", "127.0.0.1", port, 1, 1000, 1000),
                    RunKeys.authenticated(), 1, PARAMS);
            servers.add(s);
            assertEquals(port + 1, s.port());
        } catch (java.net.BindException e) {
            // port + 1 was taken by someone else as well: the message must say which ports were tried
            assertTrue(e.getMessage().contains("ports"), e.getMessage());
        }
    }
}
