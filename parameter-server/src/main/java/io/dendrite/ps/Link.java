package io.dendrite.ps;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.function.BooleanSupplier;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;

/**
 * One step connection: a non-blocking socket, either plain or carrying TLS through an {@link SSLEngine}
 * ({@link RunKeys#engine}); a plain one carries authenticated records ({@link FrameSeal}) once its handshake
 * is done ({@link #seal}). {@link #read} and {@link #write} behave as a non-blocking channel's (they move
 * what they can and never wait); {@link #readFully} and {@link #writeFully} wait on a selector with the
 * usual deadline and cancellation checks. One thread may read while another writes.
 */
final class Link implements Closeable {
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);
    /** What {@link #unwrap} returns when no whole record has arrived and the socket has nothing more now. */
    private static final int NEED_MORE = -2;
    /** How many TLS records the buffers between the engine and the socket hold. */
    private static final int RECORDS_PER_CALL = 8;

    private final SocketChannel channel;
    private final SSLEngine engine;
    private final Object writeLock = new Object();
    /** Encrypted bytes received and not yet decrypted (write mode). */
    private ByteBuffer netIn;
    /** Decrypted bytes not yet read (write mode). */
    private ByteBuffer appIn;
    /** Encrypted bytes not yet sent (read mode). */
    private ByteBuffer netOut;
    private volatile boolean handshaken;
    /** The plain link's authenticated records, each way, once {@link #seal}ed; null before and under TLS. */
    private FrameSeal sealOut;
    private FrameSeal sealIn;
    private Selector reads;
    private Selector writes;
    /** The engine's record sizes: a decrypted record's most bytes, and an encrypted one's. */
    private final int recordBytes;
    private final int packetBytes;

    private Link(SocketChannel channel, SSLEngine engine) throws IOException {
        this.channel = channel;
        this.engine = engine;
        channel.configureBlocking(false);
        if (engine != null) {
            // Several records a system call each way: a step's megabyte is some 64 records of 16 KiB.
            recordBytes = engine.getSession().getApplicationBufferSize();
            packetBytes = engine.getSession().getPacketBufferSize();
            netIn = ByteBuffer.allocate(RECORDS_PER_CALL * packetBytes);
            appIn = ByteBuffer.allocate(recordBytes);
            netOut = ByteBuffer.allocate(RECORDS_PER_CALL * packetBytes).flip();
        } else {
            recordBytes = 0;
            packetBytes = 0;
        }
        handshaken = engine == null;
    }

    /** The link of an accepted connection (server side of TLS when {@code keys} encrypt). */
    static Link accepted(SocketChannel channel, RunKeys keys) throws IOException {
        return new Link(channel, keys.engine(false));
    }

    /**
     * Connects to {@code host:port} within {@code connectMillis} and, when {@code keys} encrypt, completes
     * the TLS handshake within the same time. A connection that cannot be made at all is a
     * {@link ServerUnreachableException} naming {@code what}; a peer that fails the TLS handshake (not this
     * run's) is an {@link IOException} saying so.
     */
    static Link connect(String what, String host, int port, RunKeys keys, long connectMillis,
                        BooleanSupplier cancelled) throws IOException {
        SocketChannel ch = SocketChannel.open();
        try {
            ch.socket().setTcpNoDelay(true);
            ch.socket().connect(new InetSocketAddress(host, port), (int) Math.min(Integer.MAX_VALUE, connectMillis));
        } catch (IOException e) {
            ch.close();
            throw new ServerUnreachableException(what, host, port, connectMillis, e);
        }
        Link link = null;
        try {
            link = new Link(ch, keys.engine(true));
            link.handshake(System.nanoTime() + connectMillis * 1_000_000, cancelled, "the " + what + " at " + host + ":"
                    + port);
            return link;
        } catch (IOException | RuntimeException e) {
            if (link != null) {
                link.close();
            } else {
                ch.close();
            }
            throw e;
        }
    }

    SocketChannel channel() {
        return channel;
    }

    /**
     * From now on every byte each way travels in authenticated records: {@code out} seals what this end
     * sends, {@code in} opens what it receives. For a plain link only (TLS authenticates its own records);
     * called by both ends right after the handshake, before any other byte.
     */
    void seal(FrameSeal out, FrameSeal in) {
        if (engine != null) {
            throw new IllegalStateException("a TLS link authenticates its own records");
        }
        synchronized (writeLock) {
            int record = FrameSeal.HEADER + FrameSeal.MAX_RECORD + FrameSeal.TAG;
            netIn = ByteBuffer.allocateDirect(2 * record);
            appIn = ByteBuffer.allocateDirect(FrameSeal.MAX_RECORD);
            netOut = ByteBuffer.allocateDirect(2 * record).flip();
            sealIn = in;
            sealOut = out;
        }
    }

    String remote() {
        try {
            return String.valueOf(channel.getRemoteAddress());
        } catch (IOException e) {
            return "a closed connection";
        }
    }

    // The TLS handshake.

    /**
     * Moves the TLS handshake on as far as it can without waiting; true once it is complete (at once for a
     * plain link). {@link #handshakeInterest} says what to wait for when it is not.
     */
    boolean handshake() throws IOException {
        if (handshaken) {
            return true;
        }
        try {
            while (true) {
                if (!flush()) {
                    return false;
                }
                switch (engine.getHandshakeStatus()) {
                    case NEED_TASK -> runTasks();
                    case NEED_WRAP -> wrap(EMPTY);
                    case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
                        int n = unwrap();
                        if (n == -1) {
                            throw new EOFException(remote() + " closed the connection during the TLS handshake");
                        }
                        if (n == NEED_MORE) {
                            return false;
                        }
                    }
                    default -> {
                        handshaken = true;
                        return true;
                    }
                }
            }
        } catch (SSLException e) {
            sendAlert();
            throw new SSLException("the TLS handshake with " + remote() + " failed (" + e.getMessage()
                    + "): the peer does not hold this run's certificate and key, or does not speak TLS", e);
        }
    }

    /** Tells the peer why the handshake failed (the alert the engine holds), if the socket takes it now. */
    private void sendAlert() {
        synchronized (writeLock) {
            try {
                netOut.compact();
                try {
                    engine.wrap(EMPTY, netOut);
                } finally {
                    netOut.flip();
                }
                flush();
            } catch (IOException | RuntimeException ignored) {
                // the peer learns from the closed connection instead
            }
        }
    }

    boolean isHandshaken() {
        return handshaken;
    }

    /** Whether encrypted bytes wait to be sent. */
    boolean hasUnsent() {
        synchronized (writeLock) {
            return netOut != null && netOut.hasRemaining();
        }
    }

    /** The selection operations an unfinished handshake waits for. */
    int handshakeInterest() {
        synchronized (writeLock) {
            return netOut != null && netOut.hasRemaining() || engine != null
                    && engine.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_WRAP
                    ? SelectionKey.OP_WRITE : SelectionKey.OP_READ;
        }
    }

    /** Completes the handshake, waiting at most until {@code deadlineNanos}. */
    void handshake(long deadlineNanos, BooleanSupplier cancelled, String with) throws IOException {
        while (!handshake()) {
            Selector s = handshakeInterest() == SelectionKey.OP_WRITE ? writes() : reads();
            await(s, deadlineNanos, cancelled, "the TLS handshake with " + with);
        }
    }

    // Moving bytes without waiting.

    /** Reads what has arrived into {@code dst}: the bytes moved, 0 when none are ready, -1 at the end. */
    int read(ByteBuffer dst) throws IOException {
        if (sealIn != null) {
            return readSealed(dst);
        }
        if (engine == null) {
            return channel.read(dst);
        }
        if (!handshake()) {
            return 0;
        }
        int moved = drain(dst);
        if (moved > 0) {
            return moved;
        }
        // Records decrypt straight into dst while a whole one fits; the rest goes through appIn.
        int whole = recordBytes;
        int start = dst.position();
        while (true) {
            boolean direct = dst.remaining() >= whole;
            int n = unwrap(direct ? dst : appIn);
            drain(dst); // what overflowed into appIn, or the record decrypted there
            moved = dst.position() - start;
            if (n == -1) {
                return moved > 0 ? moved : -1;
            }
            if (n == NEED_MORE || moved > 0 && dst.remaining() < whole) {
                return moved;
            }
        }
    }

    /** Writes as much of {@code src} as the socket takes now: the bytes of {@code src} consumed. */
    int write(ByteBuffer src) throws IOException {
        if (sealOut != null) {
            return writeSealed(src);
        }
        if (engine == null) {
            return channel.write(src);
        }
        if (!handshake()) {
            return 0;
        }
        synchronized (writeLock) {
            int before = src.remaining();
            while (src.hasRemaining()) {
                if (netOut.capacity() - netOut.remaining() < packetBytes && !flush()) {
                    break;
                }
                wrap(src);
            }
            flush();
            return before - src.remaining();
        }
    }

    /** Sends encrypted bytes still waiting; true when none are left. */
    boolean flush() throws IOException {
        if (engine == null && sealOut == null) {
            return true;
        }
        synchronized (writeLock) {
            while (netOut.hasRemaining()) {
                if (channel.write(netOut) == 0) {
                    return false;
                }
            }
            return true;
        }
    }

    /** {@link #read} of a sealed link: what has arrived in whole authenticated records. */
    private int readSealed(ByteBuffer dst) throws IOException {
        int moved = drain(dst);
        while (dst.hasRemaining()) {
            netIn.flip();
            int n;
            try {
                n = sealIn.open(netIn, appIn, remote());
            } finally {
                netIn.compact();
            }
            if (n != FrameSeal.NEED_MORE) {
                moved += drain(dst);
                continue;
            }
            int got = channel.read(netIn);
            if (got < 0) {
                return moved > 0 ? moved : -1;
            }
            if (got == 0) {
                break;
            }
        }
        return moved;
    }

    /** {@link #write} of a sealed link: as much of {@code src} as fits in records the socket takes now. */
    private int writeSealed(ByteBuffer src) throws IOException {
        synchronized (writeLock) {
            int before = src.remaining();
            while (src.hasRemaining()) {
                if (netOut.capacity() - netOut.remaining() < FrameSeal.HEADER + FrameSeal.TAG + Math.min(src.remaining(),
                        FrameSeal.MAX_RECORD) && !flush()) {
                    break;
                }
                netOut.compact();
                try {
                    sealOut.seal(src, netOut);
                } finally {
                    netOut.flip();
                }
            }
            flush();
            return before - src.remaining();
        }
    }

    private int drain(ByteBuffer dst) {
        appIn.flip();
        int n = Math.min(dst.remaining(), appIn.remaining());
        if (n > 0) {
            ByteBuffer part = appIn.slice(appIn.position(), n);
            dst.put(part);
            appIn.position(appIn.position() + n);
        }
        appIn.compact();
        return n;
    }

    /**
     * Decrypts one record into {@code appIn}, reading the socket when no whole record has arrived: the bytes
     * it gave (0 for a record without data), {@link #NEED_MORE} when a whole record has not arrived yet, -1 at
     * the end.
     */
    private int unwrap() throws IOException {
        return unwrap(appIn);
    }

    /** {@link #unwrap()} into {@code target}, which has room for a whole record unless it is {@code appIn}. */
    private int unwrap(ByteBuffer target) throws IOException {
        while (true) {
            netIn.flip();
            int before = target.position();
            SSLEngineResult r;
            try {
                r = engine.unwrap(netIn, target);
            } finally {
                netIn.compact();
            }
            afterEngine(r.getHandshakeStatus());
            switch (r.getStatus()) {
                case OK:
                    return target.position() - before;
                case BUFFER_OVERFLOW:
                    if (target != appIn) {
                        target = appIn; // the caller drains appIn next
                        continue;
                    }
                    appIn = grow(appIn, recordBytes);
                    target = appIn;
                    continue;
                case BUFFER_UNDERFLOW:
                    if (!netIn.hasRemaining()) {
                        netIn = grow(netIn, packetBytes);
                    }
                    int n = channel.read(netIn);
                    if (n < 0) {
                        return -1;
                    }
                    if (n == 0) {
                        return NEED_MORE;
                    }
                    continue;
                default:
                    return -1; // closed by the peer
            }
        }
    }

    /** Encrypts what fits of {@code src} into {@code netOut} (which the caller has flushed). */
    private void wrap(ByteBuffer src) throws IOException {
        synchronized (writeLock) {
            netOut.compact();
            SSLEngineResult r;
            try {
                r = engine.wrap(src, netOut);
            } finally {
                netOut.flip();
            }
            if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
                throw new EOFException("the TLS connection to " + remote() + " is closed");
            }
            if (r.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
                throw new SSLException("a TLS record larger than " + netOut.capacity() + " bytes");
            }
            afterEngine(r.getHandshakeStatus());
        }
    }

    /** Runs the engine's delegated tasks and answers what the peer's messages ask (a key update). */
    private void afterEngine(SSLEngineResult.HandshakeStatus status) throws IOException {
        if (status == SSLEngineResult.HandshakeStatus.NEED_TASK) {
            runTasks();
        }
        if (handshaken && engine.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_WRAP) {
            synchronized (writeLock) {
                wrap(EMPTY);
                flush(); // what does not go now goes with the next write or wait
            }
        }
    }

    private void runTasks() {
        Runnable task;
        while ((task = engine.getDelegatedTask()) != null) {
            task.run();
        }
    }

    private static ByteBuffer grow(ByteBuffer b, int atLeast) {
        ByteBuffer bigger = ByteBuffer.allocateDirect(Math.max(2 * b.capacity(), b.position() + atLeast));
        b.flip();
        bigger.put(b);
        return bigger;
    }

    // Waiting.

    /**
     * Fills {@code buf}, waiting at most {@link Wire#POLL_MILLIS} at a time to check {@code cancelled} and the
     * deadline, so a wait never outlives either.
     */
    void readFully(ByteBuffer buf, long deadlineNanos, BooleanSupplier cancelled, String waitingFor)
            throws IOException {
        while (buf.hasRemaining()) {
            int n = read(buf);
            if (n < 0) {
                throw new EOFException("the connection closed while waiting for " + waitingFor);
            }
            if (n == 0) {
                Selector s = flush() ? reads() : writes();
                await(s, deadlineNanos, cancelled, waitingFor);
            }
        }
    }

    /** Writes all of {@code buf}, with the same waiting rules as {@link #readFully}. */
    void writeFully(ByteBuffer buf, long deadlineNanos, BooleanSupplier cancelled, String sending)
            throws IOException {
        while (buf.hasRemaining()) {
            if (write(buf) == 0) {
                await(handshaken || handshakeInterest() == SelectionKey.OP_WRITE ? writes() : reads(), deadlineNanos,
                        cancelled, "room to send " + sending);
            }
        }
        while (!flush()) {
            await(writes(), deadlineNanos, cancelled, "room to send " + sending);
        }
    }

    /**
     * A blocking stream over this link: a read waits for at least one byte, at most {@code timeoutMillis}
     * (as a socket's read timeout would), then fails with a {@link SocketTimeoutException}.
     */
    InputStream input(long timeoutMillis) {
        return input(timeoutMillis, () -> false);
    }

    /**
     * A blocking stream over this link whose reads wait at most {@code timeoutMillis} for a byte (for ever
     * when it is 0), and end when {@code cancelled} says so.
     */
    InputStream input(long timeoutMillis, BooleanSupplier cancelled) {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) {
                    return 0;
                }
                long deadline = timeoutMillis > 0 ? System.nanoTime() + timeoutMillis * 1_000_000 : Wire.NO_DEADLINE;
                ByteBuffer into = ByteBuffer.wrap(b, off, len);
                while (true) {
                    int n = Link.this.read(into);
                    if (n != 0) {
                        return n;
                    }
                    await(flush() ? reads() : writes(), deadline, cancelled, "data from " + remote());
                }
            }
        };
    }

    private synchronized Selector reads() throws IOException {
        if (reads == null) {
            reads = Selector.open();
            channel.register(reads, SelectionKey.OP_READ);
        }
        return reads;
    }

    private synchronized Selector writes() throws IOException {
        if (writes == null) {
            writes = Selector.open();
            channel.register(writes, SelectionKey.OP_WRITE);
        }
        return writes;
    }

    private static void await(Selector selector, long deadlineNanos, BooleanSupplier cancelled, String waitingFor)
            throws IOException {
        selector.select(Wire.POLL_MILLIS);
        selector.selectedKeys().clear();
        if (cancelled.getAsBoolean()) {
            throw new InterruptedIOException("cancelled while waiting for " + waitingFor);
        }
        if (deadlineNanos != Wire.NO_DEADLINE && System.nanoTime() - deadlineNanos > 0) {
            throw new SocketTimeoutException("no " + waitingFor + " within the timeout");
        }
    }

    @Override
    public void close() throws IOException {
        try {
            channel.close();
        } finally {
            Selector r;
            Selector w;
            synchronized (this) {
                r = reads;
                w = writes;
            }
            if (r != null) {
                r.close();
            }
            if (w != null) {
                w.close();
            }
        }
    }
}
