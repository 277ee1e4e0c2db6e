package io.dendrite.core.model;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;
import java.util.zip.CRC32;

/**
 * The binary weight file: a 16-byte header ({@code "DNDW"}, format version as uint32, weight count as
 * uint64), the weights as little-endian float32, and a trailing CRC-32 (uint32) of everything before it.
 */
public final class WeightsFile {
    /** The four magic bytes, "DNDW". */
    static final byte[] MAGIC = {'D', 'N', 'D', 'W'};
    /** The layout version this code writes; the reader branches on it. */
    public static final int VERSION = 1;
    private static final int HEADER_BYTES = 16;

    private WeightsFile() {
    }

    /** Writes {@code weights} in the current version and returns the CRC-32 that ends the file. */
    public static long write(float[] weights, OutputStream out) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(HEADER_BYTES + 4 * weights.length + 4).order(ByteOrder.LITTLE_ENDIAN);
        buf.put(MAGIC).putInt(VERSION).putLong(weights.length);
        for (float w : weights) {
            buf.putFloat(w);
        }
        CRC32 crc = new CRC32();
        crc.update(buf.array(), 0, buf.position());
        long sum = crc.getValue();
        buf.putInt((int) sum);
        out.write(buf.array());
        return sum;
    }

    /**
     * Reads and validates a weight file: magic, version, length, checksum, the count the spec expects,
     * and that every weight is finite. {@code source} names the file in errors. A negative
     * {@code expectedCount} accepts the count the header gives.
     */
    public static float[] read(InputStream in, String source, int expectedCount) throws IOException {
        byte[] header = in.readNBytes(HEADER_BYTES);
        if (header.length < HEADER_BYTES) {
            throw new ModelFormatException(source + ": truncated: the header needs " + HEADER_BYTES
                    + " bytes but the file holds only " + header.length);
        }
        ByteBuffer h = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
        byte[] magic = new byte[4];
        h.get(magic);
        if (!java.util.Arrays.equals(magic, MAGIC)) {
            throw new ModelFormatException(source + ": wrong magic at byte 0: expected 44 4e 44 57 (\"DNDW\") but found "
                    + HexFormat.ofDelimiter(" ").formatHex(magic) + "; this is not a Dendrite weights file");
        }
        int version = h.getInt();
        if (version != VERSION) {
            throw new ModelFormatException(source + ": unknown weights format version " + Integer.toUnsignedString(version)
                    + " at byte 4; this reader knows version " + VERSION);
        }
        long count = h.getLong();
        if (expectedCount < 0) {
            if (count < 0 || count > (Integer.MAX_VALUE - 8) / 4) {
                throw new ModelFormatException(source + ": announces " + count + " values at byte 8, which no array "
                        + "can hold");
            }
            expectedCount = (int) count;
        }
        if (count != expectedCount) {
            throw new ModelFormatException(source + ": holds " + count + " weights but the network spec needs "
                    + expectedCount);
        }
        int payload = 4 * expectedCount;
        byte[] body = in.readNBytes(payload + 4);
        if (body.length < payload + 4) {
            throw new ModelFormatException(source + ": truncated: the header announces " + count + " weights ("
                    + payload + " bytes) and a 4-byte checksum after byte " + HEADER_BYTES + ", but only "
                    + body.length + " bytes follow");
        }
        if (in.read() != -1) {
            throw new ModelFormatException(source + ": unexpected bytes after the checksum at byte "
                    + (HEADER_BYTES + payload + 4));
        }
        CRC32 crc = new CRC32();
        crc.update(header);
        crc.update(body, 0, payload);
        ByteBuffer b = ByteBuffer.wrap(body).order(ByteOrder.LITTLE_ENDIAN);
        long stored = Integer.toUnsignedLong(b.getInt(payload));
        if (stored != crc.getValue()) {
            throw new ModelFormatException(String.format("%s: checksum mismatch: the file says %08x but its contents "
                    + "hash to %08x; the file is corrupt", source, stored, crc.getValue()));
        }
        float[] weights = new float[expectedCount];
        for (int i = 0; i < expectedCount; i++) {
            weights[i] = b.getFloat();
            if (!Float.isFinite(weights[i])) {
                throw new ModelFormatException(source + ": weight " + i + " (byte " + (HEADER_BYTES + 4 * i) + ") is "
                        + weights[i] + "; a usable model holds only finite weights");
            }
        }
        return weights;
    }
}
