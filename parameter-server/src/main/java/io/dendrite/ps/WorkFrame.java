package io.dendrite.ps;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The WORK frame, one step's weights on their way to the tasks: {@code length, WORK, step, step in epoch,
 * count, count floats}, little-endian. Both servers write it; both clients and every node of the task tree
 * read it. This class is its one encoder and decoder.
 */
final class WorkFrame {
    /** Bytes before the weights. */
    static final int HEADER = 4 + 1 + 8 + 8 + 4;

    private WorkFrame() {
    }

    /** One step's numbers, from a frame's header. */
    record Head(long step, long stepInEpoch) {
    }

    /** Bytes of the frame of {@code parameters} weights. */
    static int bytes(int parameters) {
        return HEADER + 4 * parameters;
    }

    /**
     * The frame of step {@code step}'s {@code weights}, written into {@code reuse} when it has their size (a
     * new direct buffer otherwise); its position 0 and limit its end.
     */
    static ByteBuffer write(ByteBuffer reuse, long step, long stepInEpoch, float[] weights) {
        ByteBuffer frame = reuse != null && reuse.capacity() == bytes(weights.length) ? reuse
                : Wire.direct(bytes(weights.length));
        frame.clear();
        frame.putInt(frame.capacity() - 4).put(Wire.WORK).putLong(step).putLong(stepInEpoch).putInt(weights.length);
        Wire.putFloats(frame, HEADER, weights);
        return frame.clear();
    }

    /**
     * Fails, naming {@code from}, unless a frame whose first five bytes say {@code length} and {@code type} is
     * the WORK frame of {@code parameters} weights.
     */
    static void checkStart(int length, byte type, int parameters, String from) throws IOException {
        if (type != Wire.WORK || length != bytes(parameters) - 4) {
            throw new IOException("expected work of " + (bytes(parameters) - 4) + " bytes from " + from
                    + " but got frame type " + type + " of " + length + " bytes");
        }
    }

    /**
     * The step numbers of the frame whose header ({@link #HEADER} bytes) starts at {@code header}'s position 0;
     * fails, naming {@code from}, when it does not carry {@code parameters} weights.
     */
    static Head head(ByteBuffer header, int parameters, String from) throws IOException {
        int n = header.getInt(21);
        if (n != parameters) {
            throw new IOException(from + " sent " + n + " weights but the network has " + parameters);
        }
        return new Head(header.getLong(5), header.getLong(13));
    }

    /** The weights of the whole frame {@code frame} into {@code into}. */
    static void weights(ByteBuffer frame, float[] into) {
        Wire.getFloats(frame, HEADER, into);
    }
}
