package io.dendrite.ps;

import io.dendrite.core.util.Checks;
import java.io.EOFException;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * Where the tasks of a barrier stage learn each other's step-tree addresses: each connects to the driver,
 * authenticates as its task index of its stage attempt (an HMAC of a fresh nonce under the run's secret,
 * as with the {@link ParameterServer}), and sends its address; once every task of that attempt has, each
 * gets the whole list and the connection ends. Spark's own {@code allGather} does this too, but it checks
 * for completion once a second, which cost up to a second an epoch. Connections of an older attempt or
 * stage are closed unanswered, so their tasks fail and Spark's newer attempt goes on.
 */
public final class Rendezvous implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Rendezvous.class.getName());
    private static final int MAX_ADDRESS_BYTES = 1024;

    private final ServerSocketChannel listener;
    private final RunKeys keys;
    private final long connectMillis;
    private final Thread acceptor;
    private final Map<Integer, Waiting> attempts = new HashMap<>();
    private int stage = -1;
    private int tasks;
    private int launched;
    /** Tasks claiming an attempt Spark has not reported yet, waiting for it (at most a few per task). */
    private final List<Arrival> held = new ArrayList<>();
    private volatile boolean closed;
    private volatile Throwable acceptFailure;

    /** A task's authenticated arrival. */
    private record Arrival(Link link, int task, int attempt, int stage, String address) {
    }

    /** The tasks of one stage attempt that have sent their address so far. */
    private static final class Waiting {
        final Link[] links;
        final String[] addresses;
        int arrived;

        Waiting(int tasks) {
            links = new Link[tasks];
            addresses = new String[tasks];
        }
    }

    private Rendezvous(ServerSocketChannel listener, RunKeys keys, long connectMillis) {
        this.listener = listener;
        this.keys = keys;
        this.connectMillis = connectMillis;
        this.acceptor = new Thread(this::acceptLoop, "dendrite-rendezvous-" + listener.socket().getLocalPort());
        acceptor.setDaemon(true);
    }

    /** Listens on the first free port of {@code settings}' range after {@code after} (0: any free port). */
    public static Rendezvous start(ServerSettings settings, RunKeys keys, int after) throws IOException {
        int first = settings.port() == 0 ? 0 : after + 1;
        int last = settings.port() == 0 ? 0 : settings.port() + settings.portRetries();
        BindException failure = null;
        for (int port = first; port <= last; port++) {
            ServerSocketChannel s = ServerSocketChannel.open();
            try {
                s.bind(new InetSocketAddress(settings.bindAddress(), port), 128);
                Rendezvous r = new Rendezvous(s, keys, settings.connectMillis());
                r.acceptor.start();
                return r;
            } catch (BindException e) {
                s.close();
                failure = e;
            }
        }
        throw new BindException("cannot listen for the step tree's rendezvous on " + settings.bindAddress() + " ports "
                + first + "–" + last + " (the parameter server took " + after + "): "
                + (failure == null ? "no port in range" : failure.getMessage()));
    }

    /** The port listened on. */
    public int port() {
        return listener.socket().getLocalPort();
    }

    /**
     * From now on only the {@code tasks} tasks of stage {@code id} are answered: those of its attempt 0, and
     * of later attempts once {@link #attemptLaunched} reports them.
     */
    public synchronized void expect(int id, int taskCount) {
        Checks.atLeast("tasks", taskCount, 1);
        stage = id;
        tasks = taskCount;
        launched = 0;
        attempts.values().forEach(w -> Arrays.stream(w.links).forEach(Rendezvous::closeQuietly));
        attempts.clear();
        held.forEach(h -> closeQuietly(h.link()));
        held.clear();
    }

    /**
     * Spark launched attempt {@code attemptNumber} of stage {@code id} (as its scheduler reports it): tasks
     * claiming it are answered from now on, including those already waiting. Until then a claim is held, so
     * a peer cannot claim an attempt no task has and lock the real tasks out.
     */
    public synchronized void attemptLaunched(int id, int attemptNumber) {
        if (id != stage || attemptNumber <= launched) {
            return;
        }
        launched = attemptNumber;
        List<Arrival> ready = held.stream().filter(h -> h.attempt() <= launched).toList();
        held.removeAll(ready);
        for (Arrival a : ready) {
            try {
                arrive(a);
            } catch (IOException e) {
                LOG.log(System.Logger.Level.DEBUG, "rendezvous: a held task left", e);
            }
        }
    }

    /**
     * Task {@code task} of attempt {@code attempt} of stage {@code stage} sends {@code address} and returns
     * every task's address, in task order, once all have sent theirs.
     */
    public static String[] exchange(String host, int port, RunKeys keys, int task, int attempt, int stage,
                                    String address, long connectMillis, long waitMillis, BooleanSupplier cancelled)
            throws IOException {
        try (Link link = Link.connect("rendezvous", host, port, keys, connectMillis, cancelled)) {
            long deadline = System.nanoTime() + waitMillis * 1_000_000;
            byte[] a = address.getBytes(StandardCharsets.UTF_8);
            String server = host + ":" + port;
            Wire.authenticate(link, keys, Wire.Hello.of(task, attempt, stage), deadline, cancelled, "rendezvous",
                    server);
            // The address follows the welcome, so it travels authenticated (in HMAC mode's records, or TLS).
            link.writeFully(Wire.le(new byte[4 + a.length]).putInt(a.length).put(a).flip(), deadline, cancelled,
                    "this task's address");
            ByteBuffer count = Wire.le(new byte[4]);
            read(link, count, deadline, cancelled);
            int n = count.getInt(0);
            if (n < 1 || n > 1 << 20) {
                throw new IOException("the rendezvous at " + server + " answered " + n + " addresses");
            }
            String[] addresses = new String[n];
            for (int i = 0; i < n; i++) {
                read(link, count.clear(), deadline, cancelled);
                int len = count.getInt(0);
                if (len < 0 || len > MAX_ADDRESS_BYTES) {
                    throw new IOException("the rendezvous sent an address of " + len + " bytes");
                }
                ByteBuffer text = ByteBuffer.allocate(len);
                read(link, text, deadline, cancelled);
                addresses[i] = new String(text.array(), StandardCharsets.UTF_8);
            }
            return addresses;
        }
    }

    /** Fills {@code b} before the deadline, saying why when the rendezvous closes the connection instead. */
    private static void read(Link link, ByteBuffer b, long deadline, BooleanSupplier cancelled) throws IOException {
        try {
            link.readFully(b, deadline, cancelled, "the other tasks' addresses");
        } catch (EOFException e) {
            throw new IOException("the rendezvous closed the connection (a newer stage attempt, or the run ended)", e);
        }
    }

    /**
     * Authenticates connections on this one thread ({@link Handshaker}); an authenticated task gets a
     * thread that reads its address.
     */
    private void acceptLoop() {
        acceptFailure = Handshaker.serveUntilClosed(() -> new Handshaker(listener, keys, connectMillis, 256,
                hello -> null, (peer, why) -> LOG.log(System.Logger.Level.WARNING,
                        "rendezvous: refused a connection from {0}: {1}", peer, why)),
                Wire.POLL_MILLIS, connectMillis, () -> closed, a -> {
                    Thread t = new Thread(() -> handle(a.link(), a.hello()), "dendrite-rendezvous-task");
                    t.setDaemon(true);
                    t.start();
                }, LOG, "rendezvous");
    }

    /** Why the rendezvous stopped accepting, when it did before {@link #close}; null while it serves. */
    public Throwable acceptFailure() {
        return acceptFailure;
    }

    /** Reads an authenticated task's address, which followed its hello, and records its arrival. */
    private void handle(Link link, Wire.Hello hello) {
        try {
            long deadline = System.nanoTime() + connectMillis * 1_000_000;
            ByteBuffer len = Wire.le(new byte[4]);
            link.readFully(len, deadline, () -> closed, "a task's address");
            int n = len.getInt(0);
            if (n < 0 || n > MAX_ADDRESS_BYTES) {
                throw new IOException("an address of " + n + " bytes");
            }
            ByteBuffer address = ByteBuffer.allocate(n);
            link.readFully(address, deadline, () -> closed, "a task's address");
            arrive(new Arrival(link, hello.task(), hello.attempt(), hello.stage(),
                    new String(address.array(), StandardCharsets.UTF_8)));
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "rendezvous: a connection failed", e);
            closeQuietly(link);
        }
    }

    private synchronized void arrive(Arrival arrival) throws IOException {
        Link link = arrival.link();
        int task = arrival.task();
        int attempt = arrival.attempt();
        String address = arrival.address();
        if (arrival.stage() != stage || task < 0 || task >= tasks
                || attempts.keySet().stream().anyMatch(a -> a > attempt)) {
            link.close(); // an older stage or attempt: its task fails, as Spark has replaced it
            return;
        }
        if (attempt > launched) {
            held.add(arrival);
            if (held.size() > 2 * tasks + 16) {
                closeQuietly(held.remove(0).link()); // the oldest claim goes; its task, if real, fails
            }
            return;
        }
        for (Integer older : attempts.keySet().stream().filter(a -> a < attempt).toList()) {
            Arrays.stream(attempts.remove(older).links).forEach(Rendezvous::closeQuietly);
        }
        Waiting w = attempts.computeIfAbsent(attempt, a -> new Waiting(tasks));
        if (w.links[task] != null) {
            closeQuietly(w.links[task]);
            w.arrived--;
        }
        w.links[task] = link;
        w.addresses[task] = address;
        if (++w.arrived < tasks) {
            return;
        }
        ByteBuffer answer = answer(w.addresses);
        long deadline = System.nanoTime() + connectMillis * 1_000_000;
        for (Link t : w.links) {
            try (t) {
                t.writeFully(answer.duplicate(), deadline, () -> closed, "the addresses");
            } catch (IOException e) {
                LOG.log(System.Logger.Level.DEBUG, "rendezvous: a task left before the answer", e);
            }
        }
        attempts.remove(attempt);
    }

    private static ByteBuffer answer(String[] addresses) {
        int bytes = 4;
        byte[][] text = new byte[addresses.length][];
        for (int i = 0; i < addresses.length; i++) {
            text[i] = addresses[i].getBytes(StandardCharsets.UTF_8);
            bytes += 4 + text[i].length;
        }
        ByteBuffer b = Wire.le(new byte[bytes]).putInt(addresses.length);
        for (byte[] t : text) {
            b.putInt(t.length).put(t);
        }
        return b.flip();
    }

    private static void closeQuietly(Link s) {
        if (s != null) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        try {
            listener.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "closing the rendezvous", e);
        }
        attempts.values().forEach(w -> Arrays.stream(w.links).forEach(Rendezvous::closeQuietly));
        attempts.clear();
        held.forEach(h -> closeQuietly(h.link()));
        held.clear();
    }
}
