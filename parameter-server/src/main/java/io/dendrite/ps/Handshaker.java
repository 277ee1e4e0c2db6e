package io.dendrite.ps;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLException;

/**
 * Accepts connections on a listener and authenticates them on the caller's thread, all at once with one
 * selector: each completes the TLS handshake when the run's traffic is encrypted ({@link RunKeys}), gets the
 * challenge, and once its hello has arrived and holds (a well-formed frame, an HMAC
 * under the run's secret, and whatever the owner's {@link Verdict} asks), the welcome; otherwise a refusal
 * naming why. A peer that has not authenticated costs a few hundred bytes and no thread; at most
 * {@code maxPending} wait at a time (a new one pushes out the oldest) and each for at most the connect
 * timeout, so neither a port scan nor a flood of silent sockets blocks a real task for long.
 */
final class Handshaker implements Closeable {
    /** An authenticated connection, handed over non-blocking and no longer registered here. */
    record Authenticated(Link link, Wire.Hello hello) {
    }

    /** The owner's checks of an authentic hello: null to accept, else the reason to refuse. */
    interface Verdict {
        String refusal(Wire.Hello hello);
    }

    /** Told of each refusal: the peer and why. */
    interface Refusals {
        void refused(String peer, String why);
    }

    private final ServerSocketChannel listener;
    private final Selector selector;
    private final RunKeys keys;
    private final byte[] secret;
    private final long connectNanos;
    private final int maxPending;
    private final Verdict verdict;
    private final Refusals refusals;
    private final Map<SocketChannel, Pending> pending = new LinkedHashMap<>();
    private IOException acceptFailure;

    /** One connection being authenticated. */
    private static final class Pending {
        final SocketChannel channel;
        final Link link;
        final byte[] nonce = Wire.nonce();
        final long deadline;
        final ByteBuffer in = Wire.le(new byte[Wire.HELLO_BYTES]);
        ByteBuffer out;
        Wire.Hello hello;
        boolean replied;
        boolean accepted;

        Pending(Link link, long deadline) {
            this.link = link;
            this.channel = link.channel();
            this.deadline = deadline;
            this.out = Wire.challenge(nonce);
        }
    }

    Handshaker(ServerSocketChannel listener, RunKeys keys, long connectMillis, int maxPending, Verdict verdict,
               Refusals refusals) throws IOException {
        this.listener = listener;
        this.keys = keys;
        this.secret = keys.secret();
        this.connectNanos = connectMillis * 1_000_000;
        this.maxPending = maxPending;
        this.verdict = verdict;
        this.refusals = refusals;
        this.selector = Selector.open();
        listener.configureBlocking(false);
        listener.register(selector, SelectionKey.OP_ACCEPT);
    }

    /**
     * Waits at most {@code millis} for something to happen, moves every connection on as far as it can, and
     * returns those that authenticated.
     */
    List<Authenticated> poll(long millis) throws IOException {
        selector.select(Math.max(1, millis));
        List<Authenticated> ready = new ArrayList<>();
        for (SelectionKey key : selector.selectedKeys()) {
            if (!key.isValid()) {
                continue;
            }
            if (key.isAcceptable()) {
                acceptAll();
                continue;
            }
            Pending p = (Pending) key.attachment();
            try {
                if (advance(p)) {
                    pending.remove(p.channel);
                    key.cancel();
                    if (p.accepted) {
                        if (!keys.isEncrypted()) { // every byte after the welcome travels in authenticated records
                            FrameSeal[] seals = FrameSeal.pair(secret, p.nonce, p.hello.clientNonce());
                            p.link.seal(seals[1], seals[0]);
                        }
                        ready.add(new Authenticated(p.link, p.hello));
                    } else {
                        p.channel.close();
                    }
                } else {
                    key.interestOps(interest(p));
                }
            } catch (SSLException e) {
                refusals.refused(remote(p.channel), e.getMessage());
                drop(p); // not this run's TLS peer
            } catch (IOException e) {
                drop(p); // the peer went away mid-handshake
            } catch (RuntimeException e) {
                refusals.refused(remote(p.channel), String.valueOf(e)); // this connection's failure, not the server's
                drop(p);
            }
        }
        selector.selectedKeys().clear();
        long now = System.nanoTime();
        for (Pending p : new ArrayList<>(pending.values())) {
            if (now - p.deadline > 0) {
                drop(p); // silent for the whole connect timeout
            }
        }
        if (!ready.isEmpty()) {
            selector.selectNow(); // deregisters the handed-over channels, so their owners may reconfigure them
        }
        return ready;
    }

    /**
     * Accepts every connection waiting. A failure of {@code accept} itself (no file descriptor left, the
     * kernel short of memory) is kept for {@link #takeAcceptFailure} and ends this round: the connections stay
     * in the backlog for the next. A failure of one connection closes that connection only.
     */
    private void acceptAll() {
        while (true) {
            SocketChannel ch;
            try {
                ch = listener.accept();
            } catch (IOException e) {
                acceptFailure = e;
                return;
            }
            if (ch == null) {
                acceptFailure = null;
                return;
            }
            try {
                admit(ch);
            } catch (IOException | RuntimeException e) {
                refusals.refused(remote(ch), "the connection failed as it was accepted: " + e);
                Pending p = pending.get(ch);
                if (p != null) {
                    drop(p);
                } else {
                    closeQuietly(ch);
                }
            }
        }
    }

    /** The failure of the last {@code accept}, when it failed; cleared by a successful one and by this call. */
    IOException takeAcceptFailure() {
        IOException e = acceptFailure;
        acceptFailure = null;
        return e;
    }

    private static void closeQuietly(SocketChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    /** Starts authenticating a connection just accepted. */
    private void admit(SocketChannel ch) throws IOException {
        if (pending.size() >= maxPending) {
            Pending oldest = pending.values().iterator().next();
            refusals.refused(remote(oldest.channel), "pushed out by newer connections (more than " + maxPending
                    + " awaiting authentication)");
            drop(oldest);
        }
        ch.socket().setTcpNoDelay(true);
        Pending p = new Pending(Link.accepted(ch, keys), System.nanoTime() + connectNanos);
        pending.put(ch, p);
        try {
            advance(p);
            ch.register(selector, interest(p), p);
        } catch (SSLException e) {
            refusals.refused(remote(ch), e.getMessage());
            drop(p);
        } catch (IOException e) {
            drop(p);
        }
    }

    /**
     * Serves the listener until {@code closed}: hands every authenticated connection to {@code handle}. A
     * failing {@code accept} is retried with a growing pause (10 ms to half a second), logged once per spell;
     * when it has failed for {@code giveUpMillis} on end, or anything else fails, serving ends and the cause
     * is returned, for the owner to fail its run with. Null once {@code closed}.
     */
    /** Opens a handshaker; what {@link #serveUntilClosed} serves with. */
    interface Opener {
        Handshaker open() throws IOException;
    }

    /**
     * An acceptor thread's whole life: opens a handshaker, {@link #serve}s until {@code closed}, closes it.
     * Returns why it stopped before {@code closed} (serving, or the handshaker's own opening or closing,
     * which with no file descriptor left fails too), after logging it if logging still can; null otherwise.
     */
    static Throwable serveUntilClosed(Opener opener, long pollMillis, long giveUpMillis,
                                      java.util.function.BooleanSupplier closed,
                                      java.util.function.Consumer<Authenticated> handle, System.Logger log,
                                      String name) {
        Throwable failed = null;
        try (Handshaker h = opener.open()) {
            failed = h.serve(pollMillis, giveUpMillis, closed, handle, log, name);
        } catch (Throwable e) {
            if (failed == null) {
                failed = e;
            } else {
                failed.addSuppressed(e);
            }
        }
        if (failed == null || closed.getAsBoolean()) {
            return null;
        }
        try {
            log.log(System.Logger.Level.ERROR, name + ": stopped accepting connections", failed);
        } catch (Throwable logging) { // a class logging loads the first time may need a descriptor
            failed.addSuppressed(logging);
        }
        return failed;
    }

    Throwable serve(long pollMillis, long giveUpMillis, java.util.function.BooleanSupplier closed,
                    java.util.function.Consumer<Authenticated> handle, System.Logger log, String name) {
        long failingSince = 0;
        long pause = 0;
        try {
            while (!closed.getAsBoolean()) {
                for (Authenticated a : poll(pollMillis)) {
                    handle.accept(a);
                }
                IOException failed = takeAcceptFailure();
                if (failed == null) {
                    failingSince = 0;
                    pause = 0;
                    continue;
                }
                long now = System.nanoTime();
                if (failingSince == 0) {
                    failingSince = now;
                    log.log(System.Logger.Level.WARNING, name + ": accepting a connection failed; retrying", failed);
                } else if (now - failingSince > giveUpMillis * 1_000_000) {
                    return new IOException(name + ": accepting connections failed for " + giveUpMillis + " ms on end: "
                            + failed.getMessage(), failed);
                }
                pause = Math.min(500, Math.max(10, pause * 2));
                Thread.sleep(pause);
            }
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return closed.getAsBoolean() ? null : e;
        } catch (IOException | RuntimeException | Error e) {
            return closed.getAsBoolean() ? null : e;
        }
    }

    /**
     * Moves {@code p} on as far as it can without waiting: the TLS handshake, the challenge, the hello and
     * the answer. True once the answer is sent.
     */
    private boolean advance(Pending p) throws IOException {
        if (!p.link.handshake()) {
            return false;
        }
        if (p.hello == null) {
            read(p);
        }
        if (p.out.hasRemaining()) {
            p.link.write(p.out);
        }
        return !p.out.hasRemaining() && p.link.flush() && p.replied;
    }

    private static int interest(Pending p) {
        if (!p.link.isHandshaken()) {
            return p.link.handshakeInterest();
        }
        return p.out.hasRemaining() || p.link.hasUnsent() ? SelectionKey.OP_WRITE : SelectionKey.OP_READ;
    }

    private void read(Pending p) throws IOException {
        if (p.link.read(p.in) < 0) {
            throw new ClosedChannelException();
        }
        if (p.in.hasRemaining()) {
            return;
        }
        p.hello = Wire.Hello.read(p.in.flip());
        String refusal;
        if (!p.hello.wellFormed()) {
            refusal = "not a Dendrite task (bad hello frame)";
        } else if (!p.hello.authentic(secret, p.nonce)) {
            refusal = "authentication failed (wrong run secret)";
        } else {
            refusal = verdict.refusal(p.hello);
        }
        p.replied = true;
        p.accepted = refusal == null;
        if (refusal == null) {
            p.out = p.hello.welcome(secret, p.nonce);
        } else {
            refusals.refused(remote(p.channel), refusal);
            p.out = Wire.rejectFrame(refusal);
        }
    }

    private void drop(Pending p) {
        pending.remove(p.channel);
        SelectionKey key = p.channel.keyFor(selector);
        if (key != null) {
            key.cancel();
        }
        try {
            p.channel.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    private static String remote(SocketChannel ch) {
        try {
            return String.valueOf(ch.getRemoteAddress());
        } catch (IOException e) {
            return "a closed connection";
        }
    }

    /** How many connections are being authenticated now. */
    int pending() {
        return pending.size();
    }

    /** Closes every connection still being authenticated, and the selector (not the listener). */
    @Override
    public void close() throws IOException {
        for (Pending p : new ArrayList<>(pending.values())) {
            drop(p);
        }
        selector.close();
    }
}
