package io.dendrite.ps;

import io.dendrite.core.util.Checks;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
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
    private final byte[] secret;
    private final long connectMillis;
    private final Thread acceptor;
    private final Map<Integer, Waiting> attempts = new HashMap<>();
    private int stage = -1;
    private int tasks;
    private int launched;
    /** Tasks claiming an attempt Spark has not reported yet, waiting for it (at most a few per task). */
    private final List<Arrival> held = new ArrayList<>();
    private volatile boolean closed;

    /** A task's authenticated arrival. */
    private record Arrival(Socket socket, int task, int attempt, int stage, String address) {
    }

    /** The tasks of one stage attempt that have sent their address so far. */
    private static final class Waiting {
        final Socket[] sockets;
        final String[] addresses;
        int arrived;

        Waiting(int tasks) {
            sockets = new Socket[tasks];
            addresses = new String[tasks];
        }
    }

    private Rendezvous(ServerSocketChannel listener, byte[] secret, long connectMillis) {
        this.listener = listener;
        this.secret = secret.clone();
        this.connectMillis = connectMillis;
        this.acceptor = new Thread(this::acceptLoop, "dendrite-rendezvous-" + listener.socket().getLocalPort());
        acceptor.setDaemon(true);
    }

    /** Listens on the first free port of {@code settings}' range after {@code after} (0: any free port). */
    public static Rendezvous start(ServerSettings settings, byte[] secret, int after) throws IOException {
        int first = settings.port() == 0 ? 0 : after + 1;
        int last = settings.port() == 0 ? 0 : settings.port() + settings.portRetries();
        BindException failure = null;
        for (int port = first; port <= last; port++) {
            ServerSocketChannel s = ServerSocketChannel.open();
            try {
                s.bind(new InetSocketAddress(settings.bindAddress(), port), 128);
                Rendezvous r = new Rendezvous(s, secret, settings.connectMillis());
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
        attempts.values().forEach(w -> Arrays.stream(w.sockets).forEach(Rendezvous::closeQuietly));
        attempts.clear();
        held.forEach(h -> closeQuietly(h.socket()));
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
    public static String[] exchange(String host, int port, byte[] secret, int task, int attempt, int stage,
                                    String address, long connectMillis, long waitMillis, BooleanSupplier cancelled)
            throws IOException {
        try (Socket s = new Socket()) {
            s.setTcpNoDelay(true);
            try {
                s.connect(new InetSocketAddress(host, port), (int) Math.min(Integer.MAX_VALUE, connectMillis));
            } catch (IOException e) {
                throw new ServerUnreachableException("rendezvous", host, port, connectMillis, e);
            }
            s.setSoTimeout(Wire.POLL_MILLIS);
            long deadline = System.nanoTime() + waitMillis * 1_000_000;
            InputStream in = s.getInputStream();
            byte[] challenge = new byte[Wire.CHALLENGE_BYTES];
            read(in, challenge, deadline, cancelled);
            byte[] nonce = Wire.nonceOf(Wire.le(challenge));
            if (nonce == null) {
                throw new IOException(host + ":" + port + " is not a Dendrite rendezvous (bad challenge)");
            }
            byte[] a = address.getBytes(StandardCharsets.UTF_8);
            Wire.Hello me = Wire.Hello.of(task, attempt, stage);
            ByteBuffer hello = Wire.hello(secret, nonce, me, 4 + a.length).putInt(a.length).put(a);
            OutputStream out = s.getOutputStream();
            out.write(hello.array());
            out.flush();
            Wire.awaitWelcome(b -> {
                byte[] part = new byte[b.remaining()];
                read(in, part, deadline, cancelled);
                b.put(part);
            }, me, secret, nonce, "the rendezvous at " + host + ":" + port);
            byte[] count = new byte[4];
            read(in, count, deadline, cancelled);
            int n = Wire.le(count).getInt();
            if (n < 1 || n > 1 << 20) {
                throw new IOException("the rendezvous at " + host + ":" + port + " answered " + n + " addresses");
            }
            String[] addresses = new String[n];
            for (int i = 0; i < n; i++) {
                read(in, count, deadline, cancelled);
                int len = Wire.le(count).getInt();
                if (len < 0 || len > MAX_ADDRESS_BYTES) {
                    throw new IOException("the rendezvous sent an address of " + len + " bytes");
                }
                byte[] text = new byte[len];
                read(in, text, deadline, cancelled);
                addresses[i] = new String(text, StandardCharsets.UTF_8);
            }
            return addresses;
        }
    }

    /** Reads all of {@code b}, waking every poll interval to check {@code cancelled} and the deadline. */
    private static void read(InputStream in, byte[] b, long deadline, BooleanSupplier cancelled) throws IOException {
        for (int done = 0; done < b.length; ) {
            try {
                int n = in.read(b, done, b.length - done);
                if (n < 0) {
                    throw new IOException("the rendezvous closed the connection (a newer stage attempt, or the run "
                            + "ended)");
                }
                done += n;
            } catch (java.net.SocketTimeoutException e) {
                if (cancelled.getAsBoolean()) {
                    throw new java.io.InterruptedIOException("cancelled while waiting for the other tasks' addresses");
                }
                if (System.nanoTime() - deadline > 0) {
                    throw new java.net.SocketTimeoutException("the other tasks' addresses did not arrive in time");
                }
            }
        }
    }

    /**
     * Authenticates connections on this one thread ({@link Handshaker}); an authenticated task gets a
     * thread that reads its address.
     */
    private void acceptLoop() {
        try (Handshaker handshaker = new Handshaker(listener, secret, connectMillis, 256, hello -> null,
                (peer, why) -> LOG.log(System.Logger.Level.WARNING, "rendezvous: refused a connection from {0}: {1}",
                        peer, why))) {
            while (!closed) {
                for (Handshaker.Authenticated a : handshaker.poll(Wire.POLL_MILLIS)) {
                    Thread t = new Thread(() -> handle(a.channel(), a.hello()), "dendrite-rendezvous-task");
                    t.setDaemon(true);
                    t.start();
                }
            }
        } catch (IOException | RuntimeException e) {
            if (!closed) {
                LOG.log(System.Logger.Level.WARNING, "rendezvous: accepting connections failed", e);
            }
        }
    }

    /** Reads an authenticated task's address, which followed its hello, and records its arrival. */
    private void handle(SocketChannel channel, Wire.Hello hello) {
        Socket s = channel.socket();
        try {
            channel.configureBlocking(true);
            s.setSoTimeout((int) Math.min(Integer.MAX_VALUE, connectMillis));
            DataInputStream in = new DataInputStream(s.getInputStream());
            int len = Integer.reverseBytes(in.readInt()); // little-endian, as every frame
            if (len < 0 || len > MAX_ADDRESS_BYTES) {
                throw new IOException("an address of " + len + " bytes");
            }
            byte[] address = new byte[len];
            in.readFully(address);
            arrive(new Arrival(s, hello.task(), hello.attempt(), hello.stage(),
                    new String(address, StandardCharsets.UTF_8)));
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "rendezvous: a connection failed", e);
            closeQuietly(s);
        }
    }

    private synchronized void arrive(Arrival arrival) throws IOException {
        Socket s = arrival.socket();
        int task = arrival.task();
        int attempt = arrival.attempt();
        String address = arrival.address();
        if (arrival.stage() != stage || task < 0 || task >= tasks
                || attempts.keySet().stream().anyMatch(a -> a > attempt)) {
            s.close(); // an older stage or attempt: its task fails, as Spark has replaced it
            return;
        }
        if (attempt > launched) {
            held.add(arrival);
            if (held.size() > 2 * tasks + 16) {
                closeQuietly(held.remove(0).socket()); // the oldest claim goes; its task, if real, fails
            }
            return;
        }
        for (Integer older : attempts.keySet().stream().filter(a -> a < attempt).toList()) {
            Arrays.stream(attempts.remove(older).sockets).forEach(Rendezvous::closeQuietly);
        }
        Waiting w = attempts.computeIfAbsent(attempt, a -> new Waiting(tasks));
        if (w.sockets[task] != null) {
            closeQuietly(w.sockets[task]);
            w.arrived--;
        }
        w.sockets[task] = s;
        w.addresses[task] = address;
        if (++w.arrived < tasks) {
            return;
        }
        ByteBuffer answer = answer(w.addresses);
        for (Socket t : w.sockets) {
            try (t) {
                t.getOutputStream().write(answer.array(), 0, answer.limit());
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

    private static void closeQuietly(Socket s) {
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
        attempts.values().forEach(w -> Arrays.stream(w.sockets).forEach(Rendezvous::closeQuietly));
        attempts.clear();
        held.forEach(h -> closeQuietly(h.socket()));
        held.clear();
    }
}
