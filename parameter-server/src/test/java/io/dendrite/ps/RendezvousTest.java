package io.dendrite.ps;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The driver's rendezvous of a barrier stage's tasks, over loopback sockets. */
class RendezvousTest {
    private static final RunKeys KEYS = RunKeys.authenticated();
    private final ExecutorService pool = Executors.newCachedThreadPool();
    private Rendezvous rendezvous;

    @AfterEach
    void stop() {
        pool.shutdownNow();
        rendezvous.close();
    }

    private Future<String[]> task(RunKeys keys, int task, int attempt, int stage) {
        return pool.submit(() -> Rendezvous.exchange("127.0.0.1", rendezvous.port(), keys, task, attempt, stage,
                "10.0.0." + task + ":" + (5000 + attempt), 2000, 5000, () -> false));
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void everyTaskGetsEveryAddressInTaskOrderOnceAllHaveArrived(boolean encrypted) throws Exception {
        RunKeys keys = encrypted ? RunKeys.encrypted() : KEYS;
        rendezvous = Rendezvous.start(new ServerSettings("127.0.0.1", "127.0.0.1", 0, 0, 2000, 5000), keys, 0);
        rendezvous.expect(3, 3);
        List<Future<String[]>> tasks = new ArrayList<>();
        for (int t = 2; t >= 0; t--) {
            tasks.add(task(keys, t, 0, 3));
            Thread.sleep(20);
            assertTrue(t == 0 || !tasks.get(0).isDone(), "nobody is answered before the last task arrives");
        }
        for (Future<String[]> f : tasks) {
            assertArrayEquals(new String[] {"10.0.0.0:5000", "10.0.0.1:5000", "10.0.0.2:5000"},
                    f.get(5, TimeUnit.SECONDS));
        }
    }

    @Test
    void aNewerAttemptClosesTheOlderOnesWaitingTasksAndAWrongSecretIsRefused() throws Exception {
        rendezvous = Rendezvous.start(new ServerSettings("127.0.0.1", "127.0.0.1", 0, 0, 2000, 5000), KEYS, 0);
        rendezvous.expect(0, 2);
        Future<String[]> old = task(KEYS, 0, 0, 0);
        Thread.sleep(50);
        rendezvous.attemptLaunched(0, 1); // as Spark's scheduler reports it
        Future<String[]> intruder = task(RunKeys.authenticated(), 1, 1, 0);
        Future<String[]> a = task(KEYS, 0, 1, 0);
        ExecutionException e = assertThrows(ExecutionException.class, () -> old.get(5, TimeUnit.SECONDS));
        assertTrue(e.getCause() instanceof IOException && e.getCause().getMessage().contains("newer stage attempt"),
                String.valueOf(e.getCause()));
        assertThrows(ExecutionException.class, () -> intruder.get(5, TimeUnit.SECONDS));
        Future<String[]> b = task(KEYS, 1, 1, 0);
        assertArrayEquals(new String[] {"10.0.0.0:5001", "10.0.0.1:5001"}, a.get(5, TimeUnit.SECONDS));
        assertArrayEquals(a.get(), b.get(5, TimeUnit.SECONDS));
    }

    @Test
    void anAttemptSparkHasNotLaunchedIsHeldAndLocksNobodyOut() throws Exception {
        rendezvous = Rendezvous.start(new ServerSettings("127.0.0.1", "127.0.0.1", 0, 0, 2000, 5000), KEYS, 0);
        rendezvous.expect(0, 2);
        // A peer holding the secret claims attempt 7, which Spark never launched; attempt 0 goes on.
        Future<String[]> forged = task(KEYS, 1, 7, 0);
        Thread.sleep(100);
        Future<String[]> a = task(KEYS, 0, 0, 0);
        Future<String[]> b = task(KEYS, 1, 0, 0);
        assertArrayEquals(new String[] {"10.0.0.0:5000", "10.0.0.1:5000"}, a.get(5, TimeUnit.SECONDS));
        assertArrayEquals(a.get(), b.get(5, TimeUnit.SECONDS));
        assertTrue(!forged.isDone(), "the forged claim waits for an attempt Spark never reports");
        rendezvous.expect(1, 2); // the next stage closes it
        assertThrows(ExecutionException.class, () -> forged.get(5, TimeUnit.SECONDS));
    }
}
