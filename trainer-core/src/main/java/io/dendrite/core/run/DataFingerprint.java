package io.dendrite.core.run;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.zip.CRC32C;

/**
 * What a run's batches were planned over: each partition's row count and a hash of its first and last
 * block (features and targets, as read, before scaling). A resumed run must see the same data in the
 * same partitions, or its batches, shuffles and splits would silently differ; {@link #requireSame}
 * refuses otherwise, naming the first partition that differs.
 *
 * @param rows rows per partition
 * @param firstBlock per partition, the hash of its first block (0 for an empty partition)
 * @param lastBlock per partition, the hash of its last block
 */
public record DataFingerprint(long[] rows, long[] firstBlock, long[] lastBlock) {

    /** Copies and checks the arrays agree in length. */
    public DataFingerprint {
        rows = rows.clone();
        firstBlock = firstBlock.clone();
        lastBlock = lastBlock.clone();
        if (firstBlock.length != rows.length || lastBlock.length != rows.length) {
            throw new IllegalArgumentException("a data fingerprint needs one row count and two hashes per partition "
                    + "but got " + rows.length + ", " + firstBlock.length + " and " + lastBlock.length);
        }
    }

    /** The total rows. */
    public long totalRows() {
        long t = 0;
        for (long r : rows) {
            t += r;
        }
        return t;
    }

    /**
     * The fingerprint of generated data, whose partitions' rows are known from its description without
     * reading it: each partition's hashes are the CRC-32C of {@code description} (which names the
     * generator's settings and seed).
     */
    public static DataFingerprint ofGenerated(long[] rows, String description) {
        CRC32C crc = new CRC32C();
        crc.update(description.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        long[] h = new long[rows.length];
        Arrays.fill(h, crc.getValue());
        return new DataFingerprint(rows, h, h);
    }

    /** The CRC-32C of a block's raw feature and target bits, {@code rows} rows of each. */
    public static long hash(float[] features, int featureWidth, float[] targets, int targetWidth, int rows) {
        CRC32C crc = new CRC32C();
        byte[] buf = new byte[4096];
        update(crc, buf, features, rows * featureWidth);
        update(crc, buf, targets, rows * targetWidth);
        return crc.getValue();
    }

    private static void update(CRC32C crc, byte[] buf, float[] values, int n) {
        int b = 0;
        for (int i = 0; i < n; i++) {
            int bits = Float.floatToRawIntBits(values[i]);
            buf[b++] = (byte) bits;
            buf[b++] = (byte) (bits >>> 8);
            buf[b++] = (byte) (bits >>> 16);
            buf[b++] = (byte) (bits >>> 24);
            if (b == buf.length) {
                crc.update(buf, 0, b);
                b = 0;
            }
        }
        crc.update(buf, 0, b);
    }

    /** Fails unless {@code saved} (a checkpoint's, from {@code where}) describes this data. */
    public void requireSameAs(DataFingerprint saved, String where) {
        if (!Arrays.equals(saved.rows, rows)) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "resume: the checkpoint %s planned its batches "
                    + "over partitions of %s rows but the data now has %s; read the same data with the same partitions",
                    where, Arrays.toString(saved.rows), Arrays.toString(rows)));
        }
        List<String> differ = new ArrayList<>();
        for (int p = 0; p < rows.length; p++) {
            if (saved.firstBlock[p] != firstBlock[p] || saved.lastBlock[p] != lastBlock[p]) {
                differ.add(String.format(Locale.ROOT, "partition %d: checkpoint %08x/%08x, now %08x/%08x", p,
                        saved.firstBlock[p], saved.lastBlock[p], firstBlock[p], lastBlock[p]));
            }
        }
        if (!differ.isEmpty()) {
            throw new IllegalArgumentException("resume: the data differs from the data the checkpoint " + where
                    + " was trained on (same row counts, other values; first/last block hashes): "
                    + String.join("; ", differ.subList(0, Math.min(3, differ.size())))
                    + (differ.size() > 3 ? "; and " + (differ.size() - 3) + " more partitions" : ""));
        }
    }
}
