package io.dendrite.datasets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.apache.spark.util.SizeEstimator;
import org.junit.Assume;
import org.junit.BeforeClass;
import org.junit.Test;
import org.junit.jupiter.api.Assertions;

/**
 * The IDX reader on the real Fashion-MNIST that Debian's {@code dataset-fashion-mnist} installs (CI
 * installs it), the memory bound of cached blocks, and corrupt files.
 */
public class IdxReaderTest extends SparkSuite {
    static final Path DIR = Path.of("/usr/share/datasets/fashion-mnist");
    static final String IMAGES = DIR.resolve("train-images-idx3-ubyte.gz").toString();
    static final String LABELS = DIR.resolve("train-labels-idx1-ubyte.gz").toString();

    @BeforeClass
    public static void requireFashionMnist() {
        Assume.assumeTrue("skipped: Fashion-MNIST is missing; apt-get install dataset-fashion-mnist (.ci/run does)",
                Files.exists(DIR.resolve("train-images-idx3-ubyte.gz")));
    }

    private static byte[] firstImage() throws IOException {
        try (DataInputStream in = new DataInputStream(new GZIPInputStream(Files.newInputStream(Path.of(IMAGES))))) {
            in.skipNBytes(16);
            byte[] b = new byte[784];
            in.readFully(b);
            return b;
        }
    }

    private static double bytesPerExample(ShardedDataset d) {
        long bytes = d.blocks().map(SizeEstimator::estimate).fold(0L, Long::sum);
        return (double) bytes / d.count();
    }

    @Test
    public void fashionMnistFloat32AndUint8WithinTheMemoryBound() throws IOException {
        ReadOptions options = ReadOptions.classification(10).withPartitions(4);
        ShardedDataset f32 = IdxReader.read(jsc(), IMAGES, LABELS, options);
        assertEquals(60000, f32.cache().keptRows());
        assertEquals(784, f32.featureWidth());
        ShardedDataset u8 = IdxReader.read(jsc(), IMAGES, LABELS, options.withStorage(Storage.UINT8));
        assertEquals(60000, u8.cache().keptRows());

        double raw = (784 + 1) * 4.0;
        double f32Bytes = bytesPerExample(f32);
        double u8Bytes = bytesPerExample(u8);
        System.out.printf("Fashion-MNIST cached bytes per example: float32 %.1f (raw %.0f, %.4fx), uint8 %.1f (%.2fx "
                + "smaller)%n", f32Bytes, raw, f32Bytes / raw, u8Bytes, f32Bytes / u8Bytes);
        Assertions.assertTrue(f32Bytes <= 1.1 * raw, "float32 " + f32Bytes + " bytes per example");
        Assertions.assertTrue(u8Bytes <= 1.1 * (784 + 4), "uint8 " + u8Bytes + " bytes per example");

        // Every class has 6000 training images, and the first image is the file's first record.
        long[] perClass = new long[10];
        for (ExampleBlock b : u8.blocks().collect()) {
            for (float t : b.targets()) {
                perClass[(int) t]++;
            }
        }
        long[] expected = new long[10];
        Arrays.fill(expected, 6000);
        Assertions.assertArrayEquals(expected, perClass);
        ExampleBlock first = f32.blocks().first();
        float[] x = new float[784];
        first.copyFeatures(0, x, 0);
        byte[] raw0 = firstImage();
        for (int i = 0; i < 784; i++) {
            assertEquals(raw0[i] & 0xFF, x[i], "pixel " + i);
        }
    }

    private String failure(byte[] images, byte[] labels) throws IOException {
        Path dir = newTempDir();
        Path i = Files.write(dir.resolve("images.idx"), images);
        Path l = Files.write(dir.resolve("labels.idx"), labels);
        Exception e = assertThrows(Exception.class,
                () -> IdxReader.read(jsc(), i.toString(), l.toString(), ReadOptions.classification(10)).cache());
        return rootMessage(e).replace("file:" + dir, "DIR").replace(dir.toString(), "DIR");
    }

    private static byte[] idx(int type, int[] dims, int payloadBytes) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4 + 4 * dims.length + payloadBytes);
        b.put((byte) 0).put((byte) 0).put((byte) type).put((byte) dims.length);
        for (int d : dims) {
            b.putInt(d);
        }
        return b.array();
    }

    @Test
    public void corruptAndTruncatedFilesAreNamed() throws IOException {
        byte[] labels = idx(8, new int[] {3}, 3);
        // Uncompressed, a header that declares more than the file holds is refused before any task runs.
        assertEquals("DIR/images.idx: the header declares 3 records of 4 bytes (28 bytes in all) but the file holds 24",
                failure(idx(8, new int[] {3, 2, 2}, 8), labels));
        assertEquals("DIR/images.idx: the header declares 2000000000 records of 784 bytes (1568000000016 bytes in all) "
                + "but the file holds 800", failure(idx(8, new int[] {2000000000, 28, 28}, 784), labels));
        byte[] badMagic = idx(8, new int[] {3, 2, 2}, 12);
        badMagic[0] = 0x1f;
        assertEquals("DIR/images.idx: wrong magic at byte 0: expected 00 00 then type 08 (ubyte) or 0d (float) and a "
                + "dimension count, but found 1f 00 08 03", failure(badMagic, labels));
        assertEquals("DIR/images.idx holds 3 records but DIR/labels.idx holds 2",
                failure(idx(8, new int[] {3, 2, 2}, 12), idx(8, new int[] {2}, 2)));
        byte[] outOfRange = idx(8, new int[] {3}, 3);
        outOfRange[outOfRange.length - 1] = 12;
        assertEquals("DIR/images.idx record 2: class label must be a whole number in [0, 10) but found 12.0",
                failure(idx(8, new int[] {3, 2, 2}, 12), outOfRange));
        assertEquals("DIR/images.idx: truncated inside its header", failure(new byte[] {0, 0, 8, 3, 0, 0}, labels));
        // 65536 × 65536 bytes per record overflows an int: refused from the header, not as a negative size later.
        byte[] huge = java.nio.ByteBuffer.allocate(16).putInt(0x0803).putInt(3).putInt(65536).putInt(65536).array();
        assertEquals("DIR/images.idx: dimensions [3, 65536, 65536] in the header make one record larger than "
                + "2147483647 bytes", failure(huge, labels));
        // A record of 8192 × 8192 bytes fits an array but no example: refused from the header of a gzip file,
        // whose length says nothing, before a task allocates it.
        Path dir = newTempDir();
        Path gz = dir.resolve("images.idx.gz");
        try (java.util.zip.GZIPOutputStream out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(gz))) {
            out.write(java.nio.ByteBuffer.allocate(16).putInt(0x0803).putInt(3).putInt(8192).putInt(8192).array());
        }
        Path l = Files.write(dir.resolve("labels.idx"), labels);
        // Compressed, a truncated file is found where it ends.
        Path truncated = dir.resolve("truncated.idx.gz");
        try (java.util.zip.GZIPOutputStream out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(truncated))) {
            out.write(idx(8, new int[] {3, 2, 2}, 8));
        }
        assertEquals("DIR/truncated.idx.gz: truncated: the header declares 3 records (28 bytes in all) but the file "
                + "ends before record 2", rootMessage(assertThrows(Exception.class, () -> IdxReader.read(jsc(),
                truncated.toString(), l.toString(), ReadOptions.classification(10)).cache()))
                .replace("file:" + dir, "DIR").replace(dir.toString(), "DIR"));
        Exception e = assertThrows(Exception.class,
                () -> IdxReader.read(jsc(), gz.toString(), l.toString(), ReadOptions.classification(10)));
        assertEquals("DIR/images.idx.gz: dimensions [3, 8192, 8192] in the header make one record 67108864 values, "
                + "more than the 16777216 features one example may have",
                rootMessage(e).replace("file:" + dir, "DIR").replace(dir.toString(), "DIR"));
    }

    @Test
    public void skipPolicyOnIdxLabels() throws IOException {
        Path dir = newTempDir();
        byte[] labels = idx(8, new int[] {4}, 4);
        labels[9] = 11;
        Path i = Files.write(dir.resolve("i.idx"), idx(8, new int[] {4, 2}, 8));
        Path l = Files.write(dir.resolve("l.idx"), labels);
        LoadStats s = IdxReader.read(jsc(), i.toString(), l.toString(),
                ReadOptions.classification(10).withPolicy(BadRowPolicy.SKIP)).cache();
        assertEquals(3, s.keptRows());
        assertEquals(Map.of(BadRowException.Problem.BAD_LABEL, 1L), s.skippedByReason());
        try (InputStream in = Files.newInputStream(i)) {
            assertEquals(0, in.read());
        }
    }
}
