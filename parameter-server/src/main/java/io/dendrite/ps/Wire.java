package io.dendrite.ps;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.function.BooleanSupplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The parameter server's wire format, shared by {@link ParameterServer} and {@link ParameterClient}.
 * Every frame is a little-endian {@code int} length (of what follows), one type byte and the payload.
 * A connection starts with the server's challenge (a fresh nonce); the client answers with its partition,
 * stage attempt and stage, authenticated by HMAC-SHA256 under the run's secret, so the secret itself
 * never crosses the network. After that the server sends work (step, step in epoch, weights) or the end
 * of the stage, and the client sends its share of each step.
 */
final class Wire {
    static final int MAGIC = 0x44505331; // "DPS1"
    static final int NONCE_BYTES = 32;
    static final int MAC_BYTES = 32;

    static final byte CHALLENGE = 1;
    static final byte HELLO = 2;
    static final byte REJECT = 3;
    static final byte WORK = 4;
    static final byte END = 5;
    static final byte SHARE = 6;

    /** Bytes before the weights of a work frame: length, type, step, step in epoch, count. */
    static final int WORK_HEADER = 4 + 1 + 8 + 8 + 4;
    /** Bytes before the gradient of a share frame: length, type, step, loss sum, count, correct, nanos, count. */
    static final int SHARE_HEADER = 4 + 1 + 8 + 8 + 8 + 8 + 8 + 4;
    /** Bytes of a hello frame. */
    static final int HELLO_BYTES = 4 + 1 + 4 + 4 + 4 + MAC_BYTES;

    /** A deadline that never passes, for reads whose socket has no read timeout. */
    static final long NO_DEADLINE = Long.MIN_VALUE;

    /** How often a blocked read wakes to check for cancellation and its deadline. */
    static final int POLL_MILLIS = 200;

    private static final SecureRandom RANDOM = new SecureRandom();

    private Wire() {
    }

    /** A fresh random secret for one training run. */
    static byte[] newSecret() {
        byte[] s = new byte[32];
        RANDOM.nextBytes(s);
        return s;
    }

    static byte[] nonce() {
        byte[] n = new byte[NONCE_BYTES];
        RANDOM.nextBytes(n);
        return n;
    }

    /** The client's proof that it holds the secret, bound to this connection's nonce and identity. */
    static byte[] mac(byte[] secret, byte[] nonce, int partition, int attempt, int stage) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            mac.update(nonce);
            mac.update(ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putInt(partition).putInt(attempt)
                    .putInt(stage).array());
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
        }
    }

    static ByteBuffer le(byte[] bytes) {
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Writes {@code floats} little-endian into {@code bytes} at {@code offset}. */
    static void putFloats(byte[] bytes, int offset, float[] floats) {
        ByteBuffer b = le(bytes);
        b.position(offset);
        b.asFloatBuffer().put(floats);
    }

    /** Reads {@code floats.length} little-endian floats from {@code bytes} at {@code offset}. */
    static void getFloats(byte[] bytes, int offset, float[] floats) {
        ByteBuffer b = le(bytes);
        b.position(offset);
        b.asFloatBuffer().get(floats);
    }

    static byte[] rejectFrame(String reason) {
        byte[] text = reason.getBytes(StandardCharsets.UTF_8);
        byte[] f = new byte[5 + text.length];
        le(f).putInt(1 + text.length).put(REJECT).put(text);
        return f;
    }

    static void write(OutputStream out, byte[] frame, int length) throws IOException {
        out.write(frame, 0, length);
        out.flush();
    }

    /**
     * Fills {@code buf[off, off+len)}, waking every {@link #POLL_MILLIS} (the socket's read timeout) to
     * check {@code cancelled} and the deadline, so a wait never outlives either. A timeout mid-frame keeps
     * what was read.
     */
    static void readFully(InputStream in, byte[] buf, int off, int len, long deadlineNanos, BooleanSupplier cancelled,
                          String waitingFor) throws IOException {
        int done = 0;
        while (done < len) {
            try {
                int n = in.read(buf, off + done, len - done);
                if (n < 0) {
                    throw new EOFException("the connection closed while waiting for " + waitingFor);
                }
                done += n;
            } catch (SocketTimeoutException e) {
                if (cancelled.getAsBoolean()) {
                    throw new InterruptedIOException("cancelled while waiting for " + waitingFor);
                }
                if (deadlineNanos != NO_DEADLINE && System.nanoTime() - deadlineNanos > 0) {
                    throw new SocketTimeoutException("no " + waitingFor + " within the timeout");
                }
            }
        }
    }
}
