package io.dendrite.ps;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One step's traffic over a loopback step connection ({@link Link}), in the clear and over TLS 1.3: a frame
 * of a model's weights sent, and a frame of the same size sent back by an echoing peer on its own thread,
 * as the driver and the root task exchange them each step. (In package {@code io.dendrite.ps} to reach the
 * package-private transport.)
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class LinkBenchmark {
    /** plain: raw bytes; sealed: HMAC mode's authenticated records (what runs without TLS); tls: TLS 1.3. */
    @Param({"plain", "sealed", "tls"})
    public String link;

    /** Bytes of a frame: the weights of Fashion-MNIST's 784-256-256-10 network (269,322 floats) and a header. */
    @Param({"1077313"})
    public int bytes;

    private ServerSocketChannel listener;
    private Link client;
    private Link server;
    private Thread echo;
    private ByteBuffer out;
    private ByteBuffer in;

    @Setup(Level.Trial)
    public void connect() throws Exception {
        RunKeys keys = link.equals("tls") ? RunKeys.encrypted() : RunKeys.authenticated();
        listener = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        CompletableFuture<Link> accepted = CompletableFuture.supplyAsync(() -> {
            try {
                SocketChannel ch = listener.accept();
                ch.socket().setTcpNoDelay(true);
                Link l = Link.accepted(ch, keys);
                l.handshake(System.nanoTime() + 10_000_000_000L, () -> false, "the benchmark's client");
                return l;
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        client = Link.connect("benchmark peer", "127.0.0.1", listener.socket().getLocalPort(), keys, 10_000,
                () -> false);
        server = accepted.get(10, TimeUnit.SECONDS);
        if (link.equals("sealed")) { // as the handshake leaves them: each end derives its own pair of the same keys
            byte[] serverNonce = Wire.nonce();
            byte[] clientNonce = Wire.nonce();
            FrameSeal[] mine = FrameSeal.pair(keys.secret(), serverNonce, clientNonce);
            FrameSeal[] theirs = FrameSeal.pair(keys.secret(), serverNonce, clientNonce);
            client.seal(mine[0], mine[1]);
            server.seal(theirs[1], theirs[0]);
        }
        out = Wire.direct(bytes);
        in = Wire.direct(bytes);
        for (int i = 0; i < bytes; i++) {
            out.put(i, (byte) (i * 31));
        }
        echo = new Thread(() -> {
            ByteBuffer frame = Wire.direct(bytes);
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    server.readFully(frame.clear(), Wire.NO_DEADLINE, Thread.currentThread()::isInterrupted, "a frame");
                    server.writeFully(frame.flip(), Wire.NO_DEADLINE, Thread.currentThread()::isInterrupted, "a frame");
                }
            } catch (IOException e) {
                // the benchmark closed the connection
            }
        }, "link-benchmark-echo");
        echo.setDaemon(true);
        echo.start();
    }

    /** One frame out and one back. */
    @Benchmark
    public ByteBuffer roundTrip() throws IOException {
        client.writeFully(out.clear(), Wire.NO_DEADLINE, () -> false, "a frame");
        client.readFully(in.clear(), Wire.NO_DEADLINE, () -> false, "a frame");
        return in;
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        echo.interrupt();
        client.close();
        server.close();
        listener.close();
    }
}
