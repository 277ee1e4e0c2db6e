package io.dendrite.datasets;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * IDX files (MNIST, Fashion-MNIST), raw or gzip: an images file of unsigned bytes or float32 with any
 * number of dimensions, and a labels file of unsigned bytes. The driver reads only the headers; each
 * task opens both files itself and reads its own range of records.
 */
public final class IdxReader {
    private static final int UBYTE = 0x08;
    private static final int FLOAT = 0x0D;

    private IdxReader() {
    }

    /** The header of one IDX file. */
    record Header(String file, int type, int[] dims, long dataOffset) implements java.io.Serializable {
        int records() {
            return dims[0];
        }

        int recordWidth() {
            int w = 1;
            for (int i = 1; i < dims.length; i++) {
                w *= dims[i];
            }
            return w;
        }

        int elementBytes() {
            return type == FLOAT ? 4 : 1;
        }
    }

    /** Reads images and labels into packed blocks; uint8 storage keeps pixels at one byte each. */
    public static ShardedDataset read(JavaSparkContext jsc, String imagesPath, String labelsPath, ReadOptions options) {
        Configuration conf = jsc.hadoopConfiguration();
        Path images = single(conf, imagesPath);
        Path labels = single(conf, labelsPath);
        Header ih = header(conf, images);
        Header lh = header(conf, labels);
        if (lh.dims().length != 1 || lh.type() != UBYTE) {
            throw new IllegalArgumentException(labels + ": a labels file must hold one dimension of unsigned bytes but "
                    + "holds " + lh.dims().length + " dimensions of type 0x" + Integer.toHexString(lh.type()));
        }
        if (ih.records() != lh.records()) {
            throw new IllegalArgumentException(images + " holds " + ih.records() + " records but " + labels + " holds "
                    + lh.records());
        }
        if (ih.records() == 0) {
            throw new IllegalArgumentException("empty input: " + images + " holds no records");
        }
        int rows = ih.records();
        int partitions = Math.max(1, Math.min(rows, options.partitions()));
        HadoopFiles.SerializableConf sconf = new HadoopFiles.SerializableConf(conf);
        // Rows a bad-row policy may skip are not known before reading.
        return ShardedDataset.generate(jsc, partitions, null, p -> new RecordSource(sconf, ih, lh,
                        (int) ((long) rows * p / partitions), (int) ((long) rows * (p + 1) / partitions), options),
                ih.recordWidth(), 1, options, "IDX " + imagesPath);
    }

    private static Path single(Configuration conf, String path) {
        java.util.List<Path> files = HadoopFiles.expand(conf, path);
        if (files.size() != 1) {
            throw new IllegalArgumentException("an IDX path must name one file but '" + path + "' matches " + files.size());
        }
        return files.get(0);
    }

    /** The most values one record may hold: 2^24, a 2,364 × 2,364 × 3 image; a row of floats is then 64 MiB. */
    static final long MAX_RECORD_VALUES = 1L << 24;

    static Header header(Configuration conf, Path path) {
        try (DataInputStream in = new DataInputStream(HadoopFiles.open(conf, path))) {
            byte[] magic = new byte[4];
            in.readFully(magic);
            int type = magic[2] & 0xFF;
            int ndims = magic[3] & 0xFF;
            if (magic[0] != 0 || magic[1] != 0 || (type != UBYTE && type != FLOAT) || ndims == 0) {
                throw new IllegalArgumentException(path + ": wrong magic at byte 0: expected 00 00 then type 08 (ubyte) "
                        + "or 0d (float) and a dimension count, but found " + HexFormat.ofDelimiter(" ").formatHex(magic));
            }
            int[] dims = new int[ndims];
            for (int i = 0; i < ndims; i++) {
                dims[i] = in.readInt();
                if (dims[i] < 0) {
                    throw new IllegalArgumentException(path + ": dimension " + i + " at byte " + (4 + 4 * i)
                            + " is negative (" + dims[i] + ")");
                }
            }
            // A record must fit one Java array (and a block row of floats): refuse a product past int up front.
            long recordBytes = type == FLOAT ? 4 : 1;
            for (int i = 1; i < ndims; i++) {
                recordBytes *= dims[i];
                if (recordBytes > Integer.MAX_VALUE) {
                    throw new IllegalArgumentException(path + ": dimensions " + java.util.Arrays.toString(dims)
                            + " in the header make one record larger than " + Integer.MAX_VALUE + " bytes");
                }
            }
            long values = recordBytes / (type == FLOAT ? 4 : 1);
            if (values > MAX_RECORD_VALUES) {
                throw new IllegalArgumentException(path + ": dimensions " + java.util.Arrays.toString(dims)
                        + " in the header make one record " + values + " values, more than the " + MAX_RECORD_VALUES
                        + " features one example may have");
            }
            long dataOffset = 4L + 4L * ndims;
            long declared = dataOffset + (long) dims[0] * recordBytes;
            if (new org.apache.hadoop.io.compress.CompressionCodecFactory(conf).getCodec(path) == null) {
                // Uncompressed, the length says whether the header is true, before any task reads a record.
                long length = path.getFileSystem(conf).getFileStatus(path).getLen();
                if (length < declared) {
                    throw new IllegalArgumentException(path + ": the header declares " + dims[0] + " records of "
                            + recordBytes + " bytes (" + declared + " bytes in all) but the file holds " + length);
                }
            }
            return new Header(path.toString(), type, dims, dataOffset);
        } catch (EOFException e) {
            throw new IllegalArgumentException(path + ": truncated inside its header", e);
        } catch (IOException e) {
            throw new UncheckedIOException("reading the header of " + path, e);
        }
    }

    /** Records {@code [start, end)} of an images file and its labels file. */
    private static final class RecordSource implements RowSource {
        private final Header ih;
        private final Header lh;
        private final int end;
        private final ReadOptions options;
        private final InputStream images;
        private final InputStream labels;
        private final byte[] record;
        private int next;

        RecordSource(HadoopFiles.SerializableConf conf, Header ih, Header lh, int start, int end, ReadOptions options) {
            this.ih = ih;
            this.lh = lh;
            this.end = end;
            this.options = options;
            this.next = start;
            this.record = new byte[ih.recordWidth() * ih.elementBytes()];
            try {
                images = HadoopFiles.open(conf.get(), new Path(ih.file()));
                labels = HadoopFiles.open(conf.get(), new Path(lh.file()));
                skip(images, ih.dataOffset() + (long) start * record.length, ih, start);
                skip(labels, lh.dataOffset() + start, lh, start);
            } catch (IOException e) {
                throw new UncheckedIOException("opening " + ih.file(), e);
            }
        }

        private static void skip(InputStream in, long bytes, Header h, int record) throws IOException {
            try {
                in.skipNBytes(bytes);
            } catch (EOFException e) {
                throw truncated(h, record);
            }
        }

        private static IllegalArgumentException truncated(Header h, int record) {
            long need = h.dataOffset() + (long) h.records() * h.recordWidth() * h.elementBytes();
            return new IllegalArgumentException(h.file() + ": truncated: the header declares " + h.records()
                    + " records (" + need + " bytes in all) but the file ends before record " + record);
        }

        @Override
        public boolean next(float[] x, float[] y) {
            if (next >= end) {
                close();
                return false;
            }
            int r = next++;
            try {
                if (images.readNBytes(record, 0, record.length) < record.length) {
                    throw truncated(ih, r);
                }
                int label = labels.read();
                if (label < 0) {
                    throw truncated(lh, r);
                }
                if (ih.type() == UBYTE) {
                    for (int c = 0; c < x.length; c++) {
                        x[c] = record[c] & 0xFF;
                    }
                } else {
                    ByteBuffer.wrap(record).asFloatBuffer().get(x);
                }
                y[0] = label;
            } catch (IOException e) {
                throw new UncheckedIOException("reading record " + r + " of " + ih.file(), e);
            }
            options.checkLabel(y[0], where());
            return true;
        }

        private void close() {
            try {
                images.close();
                labels.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public String where() {
            return ih.file() + " record " + (next - 1);
        }
    }
}
