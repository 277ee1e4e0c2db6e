package io.dendrite.ps;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.function.BooleanSupplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The parameter server's wire format, shared by {@link ParameterServer} and {@link ParameterClient}.
 * Every frame is a little-endian {@code int} length (of what follows), one type byte and the payload.
 * A connection starts with the server's challenge (a fresh nonce); the client answers with its partition,
 * stage attempt, stage and a nonce of its own, authenticated by HMAC-SHA256 under the run's secret over
 * both nonces, so the secret itself never crosses the network and an answer cannot be replayed on another
 * connection. The server then proves it holds the secret too (a welcome frame, HMAC over both nonces with
 * the other role), or refuses; a client acts on nothing from a server that has not proved it. After that
 * the server sends work (step, step in epoch, weights) or the end of the stage, and the client sends its
 * share of each step.
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
    static final byte SUBTREE = 7;
    static final byte WELCOME = 8;
    /** An elastic task's shards to compute for the step whose weights it has: step, count, shard indices. */
    static final byte ASSIGN = 9;
    /** The roles an HMAC is computed for, so a client's proof never passes for a server's. */
    private static final byte CLIENT_ROLE = 'C';
    private static final byte SERVER_ROLE = 'S';

    /**
     * Bytes before the gradient of a share frame: length, type, step, loss sum, count, correct, nanos, the
     * sender's subtree's busiest node's bytes in and out, count.
     */
    static final int SHARE_HEADER = 4 + 1 + 8 + 8 + 8 + 8 + 8 + 8 + 8 + 4;
    /** The most weights one share or work frame carries: 4 bytes each after the header, within an int. */
    static final int MAX_PARAMETERS = (Integer.MAX_VALUE - SHARE_HEADER) / 4;
    /** Bytes of a hello frame: length, type, task, attempt, stage, the client's nonce, its HMAC. */
    static final int HELLO_BYTES = 4 + 1 + 4 + 4 + 4 + NONCE_BYTES + MAC_BYTES;
    /** Bytes of a welcome frame: length, type, the server's HMAC. */
    static final int WELCOME_BYTES = 4 + 1 + MAC_BYTES;

    /** A deadline that never passes (the server's own reads: the training thread keeps the deadlines). */
    static final long NO_DEADLINE = Long.MIN_VALUE;

    /** How often a waiting read or write wakes to check for cancellation and its deadline. */
    static final int POLL_MILLIS = 200;

    private static final SecureRandom RANDOM = new SecureRandom();

    private Wire() {
    }

    /** Takes the pieces of a frame as they arrive. */
    interface Sink {
        void accept(ByteBuffer piece) throws IOException;
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

    /**
     * A proof by {@code role} that it holds the secret, bound to both of this connection's nonces and the
     * client's identity.
     */
    private static byte[] mac(byte[] secret, byte role, byte[] serverNonce, byte[] clientNonce, int partition,
                              int attempt, int stage) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            mac.update(role);
            mac.update(serverNonce);
            mac.update(clientNonce);
            mac.update(ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putInt(partition).putInt(attempt)
                    .putInt(stage).array());
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
        }
    }

    /** Bytes of a challenge frame: length, type, magic, nonce. */
    static final int CHALLENGE_BYTES = 4 + 1 + 4 + NONCE_BYTES;

    /** The server's opening frame, carrying a fresh {@code nonce} (flipped, ready to send). */
    static ByteBuffer challenge(byte[] nonce) {
        return le(new byte[CHALLENGE_BYTES]).putInt(CHALLENGE_BYTES - 4).put(CHALLENGE).putInt(MAGIC).put(nonce).flip();
    }

    /** The nonce of a challenge frame, or null when {@code frame} is not one. */
    static byte[] nonceOf(ByteBuffer frame) {
        frame.getInt();
        if (frame.get() != CHALLENGE || frame.getInt() != MAGIC) {
            return null;
        }
        byte[] nonce = new byte[NONCE_BYTES];
        frame.get(nonce);
        return nonce;
    }

    /**
     * A task's answer to the server's {@code nonce}: who it is, with its own nonce, authenticated under
     * {@code secret}, with {@code extra} bytes of room after it (the buffer's position is there).
     */
    static ByteBuffer hello(byte[] secret, byte[] nonce, Hello who, int extra) {
        return le(new byte[HELLO_BYTES + extra]).putInt(HELLO_BYTES - 4).put(HELLO).putInt(who.task())
                .putInt(who.attempt()).putInt(who.stage()).put(who.clientNonce())
                .put(mac(secret, CLIENT_ROLE, nonce, who.clientNonce(), who.task(), who.attempt(), who.stage()));
    }

    /**
     * A hello: who the client claims to be, its nonce, its HMAC, and whether the frame was well formed
     * (as read; {@link #of} makes the client's own).
     */
    record Hello(boolean wellFormed, int task, int attempt, int stage, byte[] clientNonce, byte[] mac) {
        /** A client's own identity with a fresh nonce, before it is sent. */
        static Hello of(int task, int attempt, int stage) {
            return new Hello(true, task, attempt, stage, nonce(), null);
        }

        /** Reads the {@link #HELLO_BYTES} of a hello from {@code frame}'s position. */
        static Hello read(ByteBuffer frame) {
            int length = frame.getInt();
            byte type = frame.get();
            int task = frame.getInt();
            int attempt = frame.getInt();
            int stage = frame.getInt();
            byte[] clientNonce = new byte[NONCE_BYTES];
            frame.get(clientNonce);
            byte[] mac = new byte[MAC_BYTES];
            frame.get(mac);
            return new Hello(type == HELLO && length == HELLO_BYTES - 4, task, attempt, stage, clientNonce, mac);
        }

        /** Whether the HMAC proves the sender holds {@code secret} and answered {@code nonce}. */
        boolean authentic(byte[] secret, byte[] nonce) {
            return MessageDigest.isEqual(mac, Wire.mac(secret, CLIENT_ROLE, nonce, clientNonce, task, attempt, stage));
        }

        /** The server's proof, for this client, that it holds {@code secret}: a welcome frame (flipped). */
        ByteBuffer welcome(byte[] secret, byte[] nonce) {
            return le(new byte[WELCOME_BYTES]).putInt(WELCOME_BYTES - 4).put(WELCOME)
                    .put(Wire.mac(secret, SERVER_ROLE, nonce, clientNonce, task, attempt, stage)).flip();
        }

    }

    /** Fills a buffer's remaining bytes from a connection, however the connection reads. */
    interface Input {
        void readFully(ByteBuffer into) throws IOException;
    }

    /**
     * Reads the server's answer to {@code me}'s hello: a welcome whose HMAC proves that {@code server}
     * holds {@code secret}, or a refusal (thrown with its reason). Anything else is thrown too: nothing from
     * a server that has not proved itself is used.
     */
    static void awaitWelcome(Input in, Hello me, byte[] secret, byte[] nonce, String server) throws IOException {
        ByteBuffer head = le(new byte[5]);
        in.readFully(head);
        int length = head.getInt(0);
        byte type = head.get(4);
        if (type == REJECT) {
            ByteBuffer text = ByteBuffer.allocate(Math.max(0, Math.min(length - 1, 4096)));
            in.readFully(text);
            throw new IOException(server + " refused this task: " + new String(text.array(), StandardCharsets.UTF_8));
        }
        byte[] proof = new byte[MAC_BYTES];
        if (type == WELCOME && length == WELCOME_BYTES - 4) {
            in.readFully(ByteBuffer.wrap(proof));
        }
        if (!MessageDigest.isEqual(proof, mac(secret, SERVER_ROLE, nonce, me.clientNonce(), me.task(), me.attempt(),
                me.stage()))) {
            throw new IOException(server + " did not prove that it holds this run's secret (answered frame type "
                    + type + "); it is not this run's, so nothing it sends is used");
        }
    }

    static ByteBuffer le(byte[] bytes) {
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Writes {@code floats} into {@code buf} from {@code offset} on (the buffer's position is unchanged). */
    static void putFloats(ByteBuffer buf, int offset, float[] floats) {
        buf.slice(offset, 4 * floats.length).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().put(floats);
    }

    /** Reads {@code floats.length} floats from {@code buf} at {@code offset} (the buffer's position is unchanged). */
    static void getFloats(ByteBuffer buf, int offset, float[] floats) {
        buf.slice(offset, 4 * floats.length).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(floats);
    }

    static ByteBuffer rejectFrame(String reason) {
        byte[] text = reason.getBytes(StandardCharsets.UTF_8);
        return le(new byte[5 + text.length]).putInt(1 + text.length).put(REJECT).put(text).flip();
    }

    static ByteBuffer endFrame() {
        return le(new byte[5]).putInt(1).put(END).flip();
    }

    /** A direct little-endian buffer, which the channel sends and fills without an extra copy. */
    static ByteBuffer direct(int bytes) {
        return ByteBuffer.allocateDirect(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Connects to the {@code what} at {@code host:port} ({@link Link#connect}) and authenticates there as
     * {@code me}, all within {@code connectMillis}.
     */
    static Link open(String what, String host, int port, RunKeys keys, Hello me, long connectMillis,
                     BooleanSupplier cancelled) throws IOException {
        Link link = Link.connect(what, host, port, keys, connectMillis, cancelled);
        try {
            authenticate(link, keys, me, System.nanoTime() + connectMillis * 1_000_000, cancelled, what,
                    host + ":" + port);
            return link;
        } catch (IOException | RuntimeException e) {
            link.close();
            throw e;
        }
    }

    /**
     * A client's side of the handshake on {@code link}: reads the challenge of the {@code what} at
     * {@code server}, sends {@code me}'s hello and waits for the server's proof that it holds the run's
     * secret, all before {@code deadlineNanos}; then, unless TLS protects the link, seals it
     * ({@link FrameSeal}), as the server does after its welcome.
     */
    static void authenticate(Link link, RunKeys keys, Hello me, long deadlineNanos,
                             BooleanSupplier cancelled, String what, String server) throws IOException {
        ByteBuffer challenge = le(new byte[CHALLENGE_BYTES]);
        link.readFully(challenge, deadlineNanos, cancelled, "the " + what + "'s challenge from " + server);
        byte[] nonce = nonceOf(challenge.flip());
        if (nonce == null) {
            throw new IOException(server + " is not a Dendrite " + what + " (bad challenge)");
        }
        ByteBuffer hello = hello(keys.secret(), nonce, me, 0).flip();
        link.writeFully(hello, deadlineNanos, cancelled, "the hello");
        awaitWelcome(b -> link.readFully(b, deadlineNanos, cancelled, "the " + what + "'s welcome from " + server), me,
                keys.secret(), nonce, "the " + what + " at " + server);
        if (!keys.isEncrypted()) { // every byte after the welcome travels in authenticated records
            FrameSeal[] seals = FrameSeal.pair(keys.secret(), nonce, me.clientNonce());
            link.seal(seals[0], seals[1]);
        }
    }
}
