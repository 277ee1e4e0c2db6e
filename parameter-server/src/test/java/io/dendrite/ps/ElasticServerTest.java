package io.dendrite.ps;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dendrite.core.loss.LossStats;
import io.dendrite.core.step.GradientAccumulator;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Elastic steps over real loopback sockets, tasks as threads, without Spark. */
class ElasticServerTest {
    private static final int PARAMS = 3000;
    private static final int SHARDS = 6;
    private static final int[][] GROUPS = {{0, 1}, {2, 3}, {4, 5}};
    private final ExecutorService pool = Executors.newCachedThreadPool();
    private final List<ElasticServer> servers = new ArrayList<>();

    @AfterEach
    void stop() {
        pool.shutdownNow();
        servers.forEach(ElasticServer::close);
    }

    private ElasticServer server(RunKeys keys, long connectMillis, long stepMillis) throws IOException {
        ElasticServer s = ElasticServer.start(new ServerSettings("127.0.0.1", "127.0.0.1", 0, 0, connectMillis,
                stepMillis), keys, SHARDS, PARAMS);
        servers.add(s);
        return s;
    }

    /** Shard {@code s}'s gradient of step {@code step}: the weights times a pseudo-random factor per value. */
    private static float[] gradient(int s, long step, float[] w) {
        Random r = new Random(97L * s + step);
        float[] g = new float[w.length];
        for (int i = 0; i < g.length; i++) {
            g[i] = w[i] * (float) r.nextGaussian();
        }
        return g;
    }

    private static float[] expected(long step, float[] w) {
        GradientAccumulator a = GradientAccumulator.empty(SHARDS);
        for (int s = SHARDS - 1; s >= 0; s--) {
            a.mergeInPlace(GradientAccumulator.ofPartition(SHARDS, s, gradient(s, step, w), new LossStats(s, 1, 0), 1));
        }
        return a.total().gradient();
    }

    private static float[] weights(long step) {
        float[] w = new float[PARAMS];
        for (int i = 0; i < PARAMS; i++) {
            w[i] = (float) Math.sin(0.21 * i + step);
        }
        return w;
    }

    /**
     * The task of group {@code g}: computes what it is given until the stage ends, or hangs up without
     * answering its {@code dieAt}-th assignment (counted from 0; -1: never). Returns the shards it computed.
     */
    private Future<List<Integer>> task(ElasticServer s, RunKeys keys, int g, int attempt, int dieAt,
                                       CountDownLatch died) {
        return task(s, keys, g, attempt, dieAt, died, true);
    }

    /** As above; a task that hangs up is reported ended, as Spark's scheduler would, when {@code reported}. */
    private Future<List<Integer>> task(ElasticServer s, RunKeys keys, int g, int attempt, int dieAt,
                                       CountDownLatch died, boolean reported) {
        return pool.submit(() -> {
            List<Integer> computed = new ArrayList<>();
            try (ElasticClient c = ElasticClient.connect("127.0.0.1", s.port(), keys, g, attempt, 0, PARAMS, 2000,
                    10_000, () -> Thread.currentThread().isInterrupted())) {
                ElasticClient.Assignment a;
                for (int n = 0; (a = c.next()) != null; n++) {
                    if (n == dieAt) {
                        c.close();
                        if (reported) {
                            s.taskEnded(0, g, attempt);
                        }
                        died.countDown();
                        return computed;
                    }
                    GradientAccumulator acc = GradientAccumulator.empty(SHARDS);
                    for (int shard : a.shards()) {
                        acc.mergeInPlace(GradientAccumulator.ofPartition(SHARDS, shard,
                                gradient(shard, a.step(), a.weights()), new LossStats(shard, 1, 0), 1));
                        computed.add(shard);
                    }
                    c.send(a.step(), acc);
                }
            }
            return computed;
        });
    }

    private static void launchAll(ElasticServer s, int attempt) {
        for (int g = 0; g < GROUPS.length; g++) {
            s.taskLaunched(0, g, attempt);
        }
    }

    @Test
    void everyShardIsComputedOnceByItsOwnerAndMergesToTheFixedTreesBits() throws Exception {
        RunKeys keys = RunKeys.encrypted();
        ElasticServer s = server(keys, 2000, 10_000);
        s.beginStage(0, GROUPS);
        launchAll(s, 0);
        List<Future<List<Integer>>> tasks = new ArrayList<>();
        for (int g = 0; g < GROUPS.length; g++) {
            tasks.add(task(s, keys, g, 0, -1, new CountDownLatch(1)));
        }
        for (long step = 0; step < 3; step++) {
            float[] w = weights(step);
            ElasticServer.Exchanged e = s.exchange(step, step, w, () -> null);
            assertArrayEquals(expected(step, w), e.result().merged().total().gradient(), "step " + step);
            assertEquals(0, e.elsewhere());
            assertEquals(0, e.recomputed());
        }
        s.endStage(() -> tasks.stream().allMatch(Future::isDone), () -> null);
        for (int g = 0; g < GROUPS.length; g++) {
            assertEquals(List.of(GROUPS[g][0], GROUPS[g][1], GROUPS[g][0], GROUPS[g][1], GROUPS[g][0], GROUPS[g][1]),
                    tasks.get(g).get(5, TimeUnit.SECONDS));
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void aTaskLostMidStepCostsOnlyItsUnfinishedShardsAndItsRelaunchTakesThemBack(boolean reported) throws Exception {
        RunKeys keys = RunKeys.authenticated();
        ElasticServer s = server(keys, 2000, 10_000);
        s.beginStage(0, GROUPS);
        launchAll(s, 0);
        CountDownLatch died = new CountDownLatch(1);
        Future<List<Integer>> t0 = task(s, keys, 0, 0, -1, died);
        Future<List<Integer>> t1 = task(s, keys, 1, 0, 1, died, reported); // hangs up on its second step
        Future<List<Integer>> t2 = task(s, keys, 2, 0, -1, died);
        float[] w0 = weights(0);
        assertArrayEquals(expected(0, w0), s.exchange(0, 0, w0, () -> null).result().merged().total().gradient());
        float[] w1 = weights(1);
        long t = System.nanoTime();
        ElasticServer.Exchanged lost = s.exchange(1, 1, w1, () -> null);
        double seconds = (System.nanoTime() - t) / 1e9;
        assertTrue(died.await(5, TimeUnit.SECONDS));
        // Its shards wait for Spark to end the task (its cached blocks' locations), at most the connect timeout.
        assertTrue(reported ? seconds < 1.5 : seconds >= 1.9 && seconds < 4, "step 1 took " + seconds + " s");
        assertArrayEquals(expected(1, w1), lost.result().merged().total().gradient(), "the same bits without task 1");
        assertEquals(2, lost.recomputed(), "only task 1's two shards of step 1 were computed again");
        assertEquals(2, lost.elsewhere());
        // Spark relaunches task 1 (attempt 1); it takes its shards back from the next step on.
        s.taskLaunched(0, 1, 1);
        Future<List<Integer>> relaunched = task(s, keys, 1, 1, -1, died);
        long deadline = System.nanoTime() + 10_000_000_000L;
        ElasticServer.Exchanged back;
        long step = 2;
        do {
            float[] w = weights(step);
            back = s.exchange(step, step, w, () -> null);
            assertArrayEquals(expected(step, w), back.result().merged().total().gradient(), "step " + step);
            step++;
        } while (back.elsewhere() > 0 && System.nanoTime() < deadline);
        assertEquals(0, back.elsewhere(), "the relaunched task computes its own shards again");
        assertEquals(2, s.recomputedShardSteps());
        s.endStage(() -> t0.isDone() && t2.isDone() && relaunched.isDone(), () -> null);
        assertEquals(List.of(2, 3), t1.get(5, TimeUnit.SECONDS), "task 1 computed step 0 only");
        assertTrue(relaunched.get(5, TimeUnit.SECONDS).stream().allMatch(sh -> sh == 2 || sh == 3));
    }

    @Test
    void theShardsOfATaskThatNeverStartsAreComputedByTheOthersAfterTheConnectTimeout() throws Exception {
        RunKeys keys = RunKeys.authenticated();
        ElasticServer s = server(keys, 500, 10_000);
        s.beginStage(0, GROUPS);
        launchAll(s, 0);
        Future<List<Integer>> t0 = task(s, keys, 0, 0, -1, new CountDownLatch(1));
        Future<List<Integer>> t2 = task(s, keys, 2, 0, -1, new CountDownLatch(1));
        float[] w = weights(0);
        long t = System.nanoTime();
        ElasticServer.Exchanged e = s.exchange(0, 0, w, () -> null);
        double seconds = (System.nanoTime() - t) / 1e9;
        assertArrayEquals(expected(0, w), e.result().merged().total().gradient());
        assertEquals(2, e.elsewhere());
        assertEquals(0, e.recomputed(), "nothing was computed twice");
        assertTrue(seconds >= 0.4 && seconds < 3, "waited " + seconds + " s for task 1 (the timeout is 0.5 s)");
        s.endStage(() -> t0.isDone() && t2.isDone(), () -> null);
    }

    @Test
    void anAttemptSparkHasNotReportedIsHeldThenRefusedAndTheStepTimesOutNamingTheShards() throws Exception {
        RunKeys keys = RunKeys.authenticated();
        ElasticServer s = server(keys, 600, 1500);
        s.beginStage(0, GROUPS);
        // Only attempt 0 of each task is reported; a peer with the keys claims attempt 5 of task 0.
        launchAll(s, 0);
        Future<List<Integer>> forged = task(s, keys, 0, 5, -1, new CountDownLatch(1));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> s.exchange(0, 0, weights(0), () -> null));
        assertTrue(e.getMessage().contains("shards without a result: [0, 1, 2, 3, 4, 5]"), e.getMessage());
        assertEquals(1, s.rejectedConnections());
        assertThrows(Exception.class, () -> forged.get(5, TimeUnit.SECONDS));
    }
}
