package io.dendrite.ps;

import io.dendrite.core.util.Checks;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * What the driver's servers for long-lived tasks share ({@link ParameterServer}, {@link ElasticServer}):
 * the listening port, the one thread that authenticates connections ({@link Handshaker}), the queue of what
 * the connections tell the training thread, connections claiming an attempt Spark has not reported yet
 * (held, then refused), and the wait for the next event, whose deadline only real progress moves.
 *
 * @param <E> the events of the server's connections
 */
abstract class TaskServer<E> implements AutoCloseable, Connection.Owner {
    private static final long EVENT_POLL_MILLIS = 50;

    final ServerSettings settings;
    final RunKeys keys;
    final BlockingQueue<E> events = new LinkedBlockingQueue<>();
    final Set<Connection> open = ConcurrentHashMap.newKeySet();
    /** Connections claiming an attempt Spark has not reported yet, with when they joined (training thread). */
    final Map<Connection, Long> held = new LinkedHashMap<>();
    volatile boolean closed;
    /** Why the acceptor stopped, when it stopped before {@link #close}. */
    private volatile Throwable acceptFailure;
    private final String name;
    private final ServerSocketChannel listener;
    private final int maxPending;
    private final AtomicInteger rejected = new AtomicInteger();
    private final Thread acceptor;
    private final System.Logger log;

    TaskServer(String name, ServerSettings settings, RunKeys keys, ServerSocketChannel listener, int maxPending) {
        this.name = name;
        this.settings = settings;
        this.keys = keys;
        this.listener = listener;
        this.maxPending = maxPending;
        this.log = System.getLogger(getClass().getName());
        this.acceptor = new Thread(this::acceptLoop, "dendrite-" + name.replace(' ', '-') + "-accept-" + port());
        acceptor.setDaemon(true);
    }

    /** Listens on the first free port of {@code settings}' range. */
    static ServerSocketChannel bind(ServerSettings settings, int backlog) throws IOException {
        int last = settings.port() == 0 ? 0 : settings.port() + settings.portRetries();
        IOException failure = null;
        for (int port = settings.port(); port <= last; port++) {
            ServerSocketChannel s = ServerSocketChannel.open();
            try {
                s.bind(new InetSocketAddress(settings.bindAddress(), port), backlog);
                return s;
            } catch (BindException e) {
                s.close();
                failure = e;
            } catch (IOException | RuntimeException e) {
                s.close();
                throw e;
            }
        }
        throw new BindException("cannot listen on " + settings.bindAddress() + " ports " + settings.port() + "–" + last
                + ": " + (failure == null ? "no port in range" : failure.getMessage()));
    }

    /** Starts authenticating connections; called once the subclass is constructed. */
    final void startAccepting() {
        acceptor.start();
    }

    /** The address tasks connect to. */
    public final String host() {
        return settings.host();
    }

    /** The port listened on. */
    public final int port() {
        return listener.socket().getLocalPort();
    }

    /** Why the acceptor stopped before {@link #close}, or null while it serves. */
    final Throwable acceptFailure() {
        return acceptFailure;
    }

    /** Connections refused so far (authentication, a bad task, an attempt Spark never launched). */
    public final int rejectedConnections() {
        return rejected.get();
    }

    /** Why an authentic hello is refused, or null to accept it. */
    abstract String refusal(Wire.Hello hello);

    /** Whether Spark has reported the attempt {@code c} claims (or {@code c} is otherwise decided). */
    abstract boolean reported(Connection c);

    /** Registers a connection of a reported attempt (training thread); false when it is not admitted. */
    abstract boolean join(Connection c);

    /** What the training thread was waiting with, for the message of a step that timed out. */
    abstract String waitState();

    /**
     * Waits at most a poll interval for the next event; null when none came. Throws the failure
     * {@code failure} reports, and fails once nothing has progressed for the step timeout since
     * {@code lastProgress}.
     */
    final E nextEvent(Supplier<RuntimeException> failure, long lastProgress, String waitingFor) {
        if (!held.isEmpty()) {
            admitHeld();
        }
        E e;
        try {
            e = events.poll(EVENT_POLL_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + waitingFor, ie);
        }
        if (e != null) {
            return e;
        }
        RuntimeException f = failure.get();
        if (f != null) {
            throw f;
        }
        Throwable acceptor = acceptFailure;
        if (acceptor != null) {
            // Tasks could neither join nor rejoin: the run fails now, with the cause, not at the step timeout.
            throw new IllegalStateException("the " + name + " stopped accepting connections: " + acceptor, acceptor);
        }
        Checks.checkState(!closed, "the %s was closed while waiting for %s", name, waitingFor);
        long waited = (System.nanoTime() - lastProgress) / 1_000_000;
        if (waited > settings.stepMillis()) {
            throw new IllegalStateException(String.format("no progress for %d ms while waiting for %s (%s); the step "
                    + "timeout is %d ms", waited, waitingFor, waitState(), settings.stepMillis()));
        }
        return null;
    }

    /** Handles an event that arrives while the stage ends ({@link #endTasks}); a join goes to {@link #join}. */
    abstract void whileEnding(E event);

    /** The connection a join event carries, or null when {@code event} is not a join. */
    abstract Connection joining(E event);

    /**
     * Tells each of {@code tasks} (nulls skipped) that the stage is over, and keeps handling events (a task
     * joining now is told too) until {@code done} says the stage has ended.
     */
    final void endTasks(Connection[] tasks, int stage, java.util.function.BooleanSupplier done,
                        Supplier<RuntimeException> failure) {
        java.nio.ByteBuffer end = Wire.endFrame();
        for (Connection c : tasks) {
            if (c != null) {
                c.send(end);
            }
        }
        long lastProgress = System.nanoTime();
        while (!done.getAsBoolean()) {
            E e = nextEvent(failure, lastProgress, "the tasks of stage " + stage + " to finish");
            Connection joiner = e == null ? null : joining(e);
            if (joiner != null) {
                if (join(joiner)) {
                    lastProgress = System.nanoTime();
                }
            } else if (e != null) {
                whileEnding(e);
            }
        }
    }

    /** Holds a connection of an attempt Spark has not reported yet; true the first time. */
    final boolean hold(Connection c) {
        return held.putIfAbsent(c, System.nanoTime()) == null;
    }

    /**
     * Joins the held connections whose attempt Spark has reported since; refuses those still unreported after
     * the connect timeout. Their joining is not progress of the step: a real task's result is.
     */
    private void admitHeld() {
        long now = System.nanoTime();
        for (var it = held.entrySet().iterator(); it.hasNext(); ) {
            var h = it.next();
            Connection c = h.getKey();
            if (c.isClosed()) {
                it.remove(); // the peer left while held
            } else if (reported(c)) {
                it.remove();
                join(c);
            } else if (now - h.getValue() > settings.connectMillis() * 1_000_000) {
                it.remove();
                reject(c.remote(), "attempt " + c.attempt + " of task " + c.partition + " of stage " + c.stage
                        + " is not one Spark has launched");
                c.close();
            }
        }
    }

    void reject(String peer, String why) {
        rejected.incrementAndGet();
        log.log(System.Logger.Level.WARNING, name + ": refused a connection from {0}: {1}", peer, why);
    }

    @Override
    public final void forget(Connection c) {
        open.remove(c);
    }

    /** Stops listening and closes every connection. */
    @Override
    public void close() {
        closed = true;
        try {
            listener.close();
        } catch (IOException e) {
            log.log(System.Logger.Level.DEBUG, "closing the listener", e);
        }
        for (Connection c : open) {
            c.close();
        }
    }

    /** Authenticates connections on this one thread: only an accepted task gets a connection with threads. */
    private void acceptLoop() {
        int[] next = {0};
        acceptFailure = Handshaker.serveUntilClosed(() -> new Handshaker(listener, keys, settings.connectMillis(),
                maxPending, this::refusal, this::reject), EVENT_POLL_MILLIS, settings.stepMillis(), () -> closed, a -> {
                    Connection c = new Connection(this, a.link(), a.hello(), next[0]++);
                    open.add(c);
                    c.start();
                    if (closed) {
                        c.close();
                    }
                }, log, name);
    }
}
