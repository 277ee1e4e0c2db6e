package io.dendrite.ps;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Fuzz target: the step protocol's bytes from a peer that is not the run's. Before the handshake, anything
 * sent to a parameter server: the server must refuse it and go on accepting (its acceptor never dies, no
 * thread dies of an exception). After a valid handshake, bytes towards a task: raw, as a path could forge
 * them (the task's authenticated records must refuse them), or sealed, as a peer holding the run's keys
 * could send them (the frame decoders must cope): work, or an {@link IOException} that says why, never
 * another exception, an allocation past the frame or a hang.
 */
public final class FrameFuzz {
    private static final RunKeys KEYS = RunKeys.authenticated();
    private static final int PARAMETERS = 7;
    private static final ParameterServer SERVER;
    private static final ServerSocket FORGER;
    private static final SynchronousQueue<Forgery> FORGED = new SynchronousQueue<>();
    private static final AtomicReference<Throwable> DIED = new AtomicReference<>();

    static {
        // The target's own connections, on loopback, are the point; Jazzer's SSRF detector allows only those.
        com.code_intelligence.jazzer.api.BugDetectors.allowNetworkConnections((host, port) ->
                host.equals("127.0.0.1") || host.equals("localhost"));
        try {
            SERVER = ParameterServer.start(new ServerSettings("127.0.0.1", "127.0.0.1", 0, 0, 2000, 10_000), KEYS, 1,
                    PARAMETERS);
            FORGER = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> DIED.compareAndSet(null, e));
        Thread forger = new Thread(FrameFuzz::forge, "fuzz-forger");
        forger.setDaemon(true);
        forger.start();
    }

    private FrameFuzz() {
    }

    /** Bytes for the task after the welcome: sealed as a peer with the run's keys would, or raw as a path would. */
    private record Forgery(boolean sealed, byte[] bytes) {
    }

    /** Plays a server that knows the secret (a path that let the handshake through), then sends forged frames. */
    private static void forge() {
        while (true) {
            try (Socket s = FORGER.accept()) {
                Forgery forged = FORGED.take();
                s.setSoTimeout(5000);
                OutputStream out = s.getOutputStream();
                InputStream in = s.getInputStream();
                byte[] nonce = Wire.nonce();
                ByteBuffer challenge = Wire.challenge(nonce);
                out.write(challenge.array(), challenge.position(), challenge.remaining());
                Wire.Hello hello = Wire.Hello.read(Wire.le(in.readNBytes(Wire.HELLO_BYTES)));
                ByteBuffer welcome = hello.welcome(KEYS.secret(), nonce);
                out.write(welcome.array(), welcome.position(), welcome.remaining());
                if (forged.sealed()) {
                    FrameSeal seal = FrameSeal.pair(KEYS.secret(), nonce, hello.clientNonce())[1];
                    ByteBuffer src = ByteBuffer.wrap(forged.bytes());
                    ByteBuffer records = ByteBuffer.allocate(2 * forged.bytes().length + 64);
                    while (src.hasRemaining()) {
                        seal.seal(src, records);
                    }
                    out.write(records.array(), 0, records.position());
                } else {
                    out.write(forged.bytes());
                }
                out.flush();
                s.shutdownOutput();
                in.readAllBytes(); // until the task closes
            } catch (IOException e) {
                // the task hung up: its business
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** One input. */
    public static void fuzzerTestOneInput(FuzzedDataProvider data) throws Exception {
        Throwable died = DIED.get();
        if (died != null) {
            throw new IllegalStateException("a thread died of an exception", died);
        }
        if (data.consumeBoolean()) {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), SERVER.port())) {
                s.getOutputStream().write(data.consumeRemainingAsBytes());
                s.shutdownOutput();
                s.setSoTimeout(3000);
                s.getInputStream().readAllBytes(); // the challenge, maybe a refusal, then the server closes
            } catch (IOException e) {
                // reset by the server: a refusal
            }
            Throwable acceptor = SERVER.acceptFailure();
            if (acceptor != null) {
                throw new IllegalStateException("the server stopped accepting", acceptor);
            }
            return;
        }
        Forgery forged = new Forgery(data.consumeBoolean(), data.consumeRemainingAsBytes());
        Thread feeder = new Thread(() -> {
            try {
                FORGED.offer(forged, 10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        feeder.start();
        try (ParameterClient client = ParameterClient.connect("127.0.0.1", FORGER.getLocalPort(), KEYS, 0, 0, 0,
                PARAMETERS, 3000, 3000, () -> false)) {
            while (client.next() != null) {
                // work, as the task would compute it
            }
        } catch (IOException e) {
            if (e.getMessage() == null || e.getMessage().isBlank()) {
                throw new IllegalStateException("a refusal without a message", e);
            }
        } finally {
            feeder.join();
        }
    }
}
