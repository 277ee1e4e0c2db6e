package io.dendrite.ps;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dendrite.core.loss.LossStats;
import io.dendrite.core.step.GradientAccumulator;
import io.dendrite.core.step.Steps;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The step tree over real loopback sockets, tasks as threads, without Spark. */
class TreeNodeTest {
    private static final int PARAMS = 70_000; // several chunks a frame
    private static final RunKeys KEYS = RunKeys.authenticated();
    private static final RunKeys ENCRYPTED = RunKeys.encrypted();
    private final ExecutorService pool = Executors.newCachedThreadPool();
    private ParameterServer server;

    @AfterEach
    void stop() {
        pool.shutdownNow();
        if (server != null) {
            server.close();
        }
    }

    @Test
    void tasksSitInPreorderSoEverySubtreeIsAContiguousRun() {
        // fan-out 2 over 6 tasks: positions 0 (1 (3, 4), 2 (5))
        assertArrayEquals(new int[] {0, 1, 3, 4, 2, 5}, TreeNode.positions(6, 2));
        assertEquals(-1, TreeNode.parent(0, 6, 2));
        assertArrayEquals(new int[] {1, 4}, TreeNode.children(0, 6, 2));
        assertArrayEquals(new int[] {2, 3}, TreeNode.children(1, 6, 2));
        assertArrayEquals(new int[] {5}, TreeNode.children(4, 6, 2));
        assertEquals(4, TreeNode.parent(5, 6, 2));
        assertArrayEquals(new int[] {1, 2, 3}, TreeNode.children(0, 4, 3));
    }

    /** Shard {@code s}'s gradient of step {@code step}: weights times a pseudo-random factor per value. */
    private static float[] gradient(int s, long step, float[] w) {
        Random r = new Random(31L * s + step);
        float[] g = new float[w.length];
        for (int i = 0; i < g.length; i++) {
            g[i] = w[i] * (float) r.nextGaussian();
        }
        return g;
    }

    private static GradientAccumulator shards(int shards, int from, int to, long step, float[] w) {
        GradientAccumulator a = GradientAccumulator.empty(shards);
        for (int s = from; s < to; s++) {
            a.mergeInPlace(GradientAccumulator.ofPartition(shards, s, gradient(s, step, w),
                    new LossStats(s, 1, 0), 10));
        }
        return a;
    }

    /** Task {@code t} of {@code tasks}, holding shards [t·S/T, (t+1)·S/T), for {@code steps} steps. */
    private Future<Integer> task(RunKeys keys, int t, int tasks, int fanOut, int shards, List<String> addresses) {
        return pool.submit(() -> {
            try (TreeNode node = TreeNode.listen("127.0.0.1", PARAMS, shards, 5000)) {
                synchronized (addresses) {
                    addresses.set(t, node.address());
                    addresses.notifyAll();
                    while (addresses.contains(null)) {
                        addresses.wait();
                    }
                }
                int parent = TreeNode.parent(t, tasks, fanOut);
                try (TreeNode.Upstream up = parent < 0
                        ? TreeNode.driver(ParameterClient.connect(server.host(), server.port(), keys, 0, 0, 0,
                                PARAMS, 2000, 5000, () -> false))
                        : TreeNode.connectToParent(addresses.get(parent), keys, t, 0, 0, PARAMS, shards, 2000, 5000)) {
                    node.acceptChildren(TreeNode.children(t, tasks, fanOut), keys, 0, 0, 2000, () -> false);
                    int steps = 0;
                    TreeNode.Work w;
                    while (true) {
                        node.beginStep();
                        if ((w = up.next(node)) == null) {
                            return steps;
                        }
                        GradientAccumulator own = shards(shards, t * shards / tasks, (t + 1) * shards / tasks,
                                w.step(), w.weights());
                        long[] bytes = node.collect(w.step(), own);
                        up.send(w.step(), own, bytes[0], bytes[1]);
                        steps++;
                    }
                }
            }
        });
    }

    @ParameterizedTest
    @CsvSource({"1, 2, 3, false", "5, 2, 7, false", "7, 3, 16, false", "4, 1, 4, false", "5, 2, 7, true",
        "4, 1, 4, true"})
    void theTreeGivesTheFixedShardTreesBitsAndTheDriverMovesTwoFramesAStep(int tasks, int fanOut, int shards,
                                                                          boolean encrypted) throws Exception {
        RunKeys keys = encrypted ? ENCRYPTED : KEYS;
        server = ParameterServer.start(new ServerSettings("127.0.0.1", "127.0.0.1", 0, 0, 2000, 5000), keys, 1,
                PARAMS);
        server.beginStage(0);
        List<String> addresses = new ArrayList<>();
        for (int t = 0; t < tasks; t++) {
            addresses.add(null);
        }
        List<Future<Integer>> running = new ArrayList<>();
        for (int t = 0; t < tasks; t++) {
            running.add(task(keys, t, tasks, fanOut, shards, addresses));
        }
        float[] w = new float[PARAMS];
        for (int i = 0; i < PARAMS; i++) {
            w[i] = (i % 97) / 97f - 0.5f;
        }
        for (long step = 0; step < 3; step++) {
            Steps.Result e = server.exchange(step, step, w, () -> null);
            GradientAccumulator.Node expected = shards(shards, 0, shards, step, w).total();
            GradientAccumulator.Node got = e.merged().total();
            assertArrayEquals(expected.gradient(), got.gradient(), "step " + step);
            assertEquals(expected.stats(), got.stats());
            long frame = WorkFrame.HEADER + 4L * PARAMS;
            assertEquals(frame, e.bytes().driverOut(), "the driver sends one work frame, to the root");
            assertEquals(Wire.SHARE_HEADER + 4L * PARAMS, e.bytes().driverIn(), "and receives one share");
            // The busiest node passes the weights to fanOut children and receives that many results.
            assertTrue(e.bytes().nodeOut() >= Math.min(tasks - 1, fanOut) * frame, e.bytes().toString());
            assertTrue(e.bytes().nodeIn() >= frame, e.bytes().toString());
        }
        server.endStage(() -> running.stream().allMatch(Future::isDone), () -> null);
        for (Future<Integer> f : running) {
            assertEquals(3, f.get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void aChildWithTheWrongSecretIsRefused() throws Exception {
        try (TreeNode parent = TreeNode.listen("127.0.0.1", PARAMS, 2, 5000)) {
            Future<?> intruder = pool.submit(() -> {
                try (TreeNode.Upstream up = TreeNode.connectToParent(parent.address(), RunKeys.authenticated(), 1,
                        0, 0, PARAMS, 2, 2000, 2000); TreeNode none = TreeNode.listen("127.0.0.1", PARAMS, 2, 2000)) {
                    return up.next(none);
                }
            });
            IOException e = assertThrows(IOException.class, () -> parent.acceptChildren(new int[] {1}, KEYS, 0, 0,
                    1000, () -> false));
            assertTrue(e.getMessage().contains("did not all connect within 1000 ms (0 did)"), e.getMessage());
            Exception refused = assertThrows(Exception.class, () -> intruder.get(10, TimeUnit.SECONDS));
            assertTrue(refused.getCause() instanceof IOException, String.valueOf(refused.getCause()));
        }
    }

    @Test
    void silentPeersOnANodesPortDoNotHoldItsChildrenUp() throws Exception {
        try (TreeNode parent = TreeNode.listen("127.0.0.1", PARAMS, 2, 5000)) {
            int colon = parent.address().lastIndexOf(':');
            int port = Integer.parseInt(parent.address().substring(colon + 1));
            List<java.net.Socket> silent = new java.util.ArrayList<>();
            for (int i = 0; i < 3; i++) {
                silent.add(new java.net.Socket("127.0.0.1", port)); // connect first, then say nothing
            }
            Future<?> child = pool.submit(() -> {
                try (TreeNode.Upstream up = TreeNode.connectToParent(parent.address(), KEYS, 1, 0, 0, PARAMS, 2, 5000,
                        5000)) {
                    return null;
                }
            });
            long t0 = System.nanoTime();
            parent.acceptChildren(new int[] {1}, KEYS, 0, 0, 5000, () -> false);
            double seconds = (System.nanoTime() - t0) / 1e9;
            child.get(5, TimeUnit.SECONDS);
            for (java.net.Socket s : silent) {
                s.close();
            }
            assertTrue(seconds < 2, "the child joined after " + seconds + " s behind three silent peers");
        }
    }
}
