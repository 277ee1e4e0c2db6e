package io.dendrite.ps;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import javax.crypto.Mac;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.SecretKeySpec;

/**
 * One direction of a connection's authenticated records when the run does not encrypt (HMAC mode): after the
 * handshake, every byte travels in records of {@code length, payload, tag}, the tag an HMAC-SHA256 (truncated
 * to 128 bits, RFC 2104's HMAC-SHA-256-128) under a key of this connection and direction, over the record's
 * sequence number and its bytes. A record altered, replayed, reordered, dropped or moved to another
 * connection on the path fails its tag; the payload stays readable, as HMAC mode promises no more. The keys
 * are HMAC-SHA256 of the run's secret over both handshake nonces, so no two connections share one.
 *
 * <p>Why HMAC-SHA256 and not AES-GMAC (what this class first used): the JDK's GCM hashes a record's bytes in
 * one call per record, and HotSpot swaps in its GHASH intrinsic only once that call has been compiled, some
 * 1,400 records into a JVM's life; until then a 1 MB step frame cost 20 ms a way, so every fresh executor
 * (and every run's first epoch) stepped several times slower. SHA-256 compresses 64-byte blocks in a method
 * called per block, compiled to its intrinsic (SHA-NI, or AVX2) within the first frame. Warm, it costs a
 * little more than GMAC did (docs/training-on-spark.md has both, measured).
 */
final class FrameSeal {
    /** Bytes of a record's length field and tag. */
    static final int HEADER = 4;
    static final int TAG = 16;
    /** The most payload one record carries. */
    static final int MAX_RECORD = 256 * 1024;
    /** What {@link #open} returns when no whole record has arrived. */
    static final int NEED_MORE = -2;
    private static final byte[] LABEL = "dendrite step frames v2".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private static final String ALGORITHM = "HmacSHA256";

    private final Mac mac;
    private final String direction;
    private final ByteBuffer number = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    private final byte[] full = new byte[32];
    private long sequence;

    private FrameSeal(byte[] keyBytes, String direction) {
        this.direction = direction;
        try {
            this.mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(keyBytes, ALGORITHM));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM has no " + ALGORITHM + ": " + e.getMessage(), e);
        }
    }

    /**
     * The two directions of one connection, {@code [0]} what the client sends, {@code [1]} what the server
     * sends, from the run's {@code secret} and the handshake's nonces.
     */
    static FrameSeal[] pair(byte[] secret, byte[] serverNonce, byte[] clientNonce) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(secret, ALGORITHM));
            mac.update(LABEL);
            mac.update(serverNonce);
            byte[] k = mac.doFinal(clientNonce);
            return new FrameSeal[] {new FrameSeal(java.util.Arrays.copyOfRange(k, 0, 16), "task to server"),
                new FrameSeal(java.util.Arrays.copyOfRange(k, 16, 32), "server to task")};
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot derive the connection's frame keys: " + e.getMessage(), e);
        }
    }

    /**
     * Seals the next record: what fits of {@code src} (at most {@link #MAX_RECORD} bytes) goes into {@code out}
     * with its length and tag; returns the bytes of {@code src} taken, 0 when {@code out} has no room for a
     * record of at least one byte.
     */
    int seal(ByteBuffer src, ByteBuffer out) throws IOException {
        int n = Math.min(Math.min(src.remaining(), MAX_RECORD), out.remaining() - HEADER - TAG);
        if (n <= 0) {
            return 0;
        }
        int start = out.position();
        out.order(ByteOrder.LITTLE_ENDIAN).putInt(n);
        out.put(src.slice(src.position(), n));
        src.position(src.position() + n);
        out.put(tag(out.duplicate().position(start).limit(start + HEADER + n)));
        return n;
    }

    /**
     * Opens the record at {@code in}'s position into {@code app}: the payload bytes moved; {@link #NEED_MORE}
     * when the whole record has not arrived (or {@code app} lacks room for it). A record whose tag does not
     * hold fails the connection, naming the record.
     */
    int open(ByteBuffer in, ByteBuffer app, String peer) throws IOException {
        if (in.remaining() < HEADER) {
            return NEED_MORE;
        }
        int n = in.duplicate().order(ByteOrder.LITTLE_ENDIAN).getInt(in.position());
        if (n <= 0 || n > MAX_RECORD) {
            throw new IOException("record " + sequence + " " + direction + " from " + peer + " claims " + n
                    + " bytes (records hold 1 to " + MAX_RECORD + "): not this run's, or altered on the path");
        }
        if (in.remaining() < HEADER + n + TAG || app.remaining() < n) {
            return NEED_MORE;
        }
        int start = in.position();
        byte[] expected = tag(in.duplicate().position(start).limit(start + HEADER + n));
        byte[] found = new byte[TAG];
        in.get(start + HEADER + n, found);
        if (!MessageDigest.isEqual(expected, found)) {
            throw new IOException("record " + (sequence - 1) + " " + direction + " from " + peer + " failed its "
                    + "authentication: altered, replayed, reordered or dropped on the path, or not this run's");
        }
        app.put(in.slice(start + HEADER, n));
        in.position(start + HEADER + n + TAG);
        return n;
    }

    /** The tag of {@code record} (length and payload) under this direction's key and the next sequence number. */
    private byte[] tag(ByteBuffer record) throws IOException {
        long s = sequence++;
        mac.update(number.clear().putLong(s).flip());
        mac.update(record);
        try {
            mac.doFinal(full, 0);
        } catch (ShortBufferException e) {
            throw new IOException("cannot authenticate record " + s + " " + direction + ": " + e.getMessage(), e);
        }
        return java.util.Arrays.copyOf(full, TAG);
    }
}
