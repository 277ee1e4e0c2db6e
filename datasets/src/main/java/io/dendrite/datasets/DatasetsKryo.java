package io.dendrite.datasets;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.serializers.JavaSerializer;

/**
 * Kryo serializers for what this module ships between JVMs: {@link ExampleBlock} goes as its widths and
 * raw arrays, never field by field, so a block of thousands of rows costs one array copy.
 */
public final class DatasetsKryo {
    private DatasetsKryo() {
    }

    /** Registers this module's classes with {@code kryo}. */
    public static void register(Kryo kryo) {
        kryo.register(ExampleBlock.class, new BlockSerializer());
        // Small, rare reports and per-column sums: plain Java serialization keeps their maps exact.
        kryo.register(LoadStats.class, new JavaSerializer());
        kryo.register(ShardedDataset.ColumnStats.class, new JavaSerializer());
        // The rows a read shuffles into its partitions (Rebalance).
        kryo.register(TextReaders.TextLine.class, new TextLineSerializer());
        kryo.register(FrameReader.FrameRow.class, new FrameRowSerializer());
    }

    /** Each value as its own kind (null, float, double, int, long, dense or sparse vector, else its text). */
    private static final class FrameRowSerializer extends Serializer<FrameReader.FrameRow> {
        @Override
        public void write(Kryo kryo, Output out, FrameReader.FrameRow r) {
            out.writeString(r.where());
            out.writeInt(r.values().length, true);
            for (Object v : r.values()) {
                if (v == null) {
                    out.writeByte(0);
                } else if (v instanceof Float f) {
                    out.writeByte(1);
                    out.writeFloat(f);
                } else if (v instanceof Double d) {
                    out.writeByte(2);
                    out.writeDouble(d);
                } else if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
                    out.writeByte(3);
                    out.writeInt(((Number) v).intValue());
                } else if (v instanceof Long l) {
                    out.writeByte(4);
                    out.writeLong(l);
                } else if (v instanceof org.apache.spark.ml.linalg.DenseVector dv) {
                    out.writeByte(5);
                    out.writeInt(dv.size(), true);
                    out.writeDoubles(dv.values());
                } else if (v instanceof org.apache.spark.ml.linalg.SparseVector sv) {
                    out.writeByte(6);
                    out.writeInt(sv.size(), true);
                    out.writeInt(sv.indices().length, true);
                    out.writeInts(sv.indices());
                    out.writeDoubles(sv.values());
                } else {
                    out.writeByte(7);
                    out.writeString(v.toString());
                }
            }
        }

        @Override
        public FrameReader.FrameRow read(Kryo kryo, Input in, Class<FrameReader.FrameRow> type) {
            String where = in.readString();
            Object[] values = new Object[in.readInt(true)];
            for (int i = 0; i < values.length; i++) {
                values[i] = switch (in.readByte()) {
                    case 0 -> null;
                    case 1 -> in.readFloat();
                    case 2 -> in.readDouble();
                    case 3 -> in.readInt();
                    case 4 -> in.readLong();
                    case 5 -> new org.apache.spark.ml.linalg.DenseVector(in.readDoubles(in.readInt(true)));
                    case 6 -> {
                        int size = in.readInt(true);
                        int nnz = in.readInt(true);
                        yield new org.apache.spark.ml.linalg.SparseVector(size, in.readInts(nnz), in.readDoubles(nnz));
                    }
                    default -> in.readString();
                };
            }
            return new FrameReader.FrameRow(where, values);
        }
    }

    private static final class TextLineSerializer extends Serializer<TextReaders.TextLine> {
        @Override
        public void write(Kryo kryo, Output out, TextReaders.TextLine l) {
            out.writeString(l.file());
            out.writeLong(l.offset(), true);
            out.writeLong(l.lineNo(), true);
            out.writeBoolean(l.numbered());
            out.writeString(l.text());
        }

        @Override
        public TextReaders.TextLine read(Kryo kryo, Input in, Class<TextReaders.TextLine> type) {
            return new TextReaders.TextLine(in.readString(), in.readLong(true), in.readLong(true), in.readBoolean(),
                    in.readString());
        }
    }

    private static final class BlockSerializer extends Serializer<ExampleBlock> {
        @Override
        public void write(Kryo kryo, Output out, ExampleBlock b) {
            out.writeBoolean(b.failure() != null);
            if (b.failure() != null) {
                out.writeInt(b.featureWidth(), true);
                out.writeInt(b.targetWidth(), true);
                kryo.writeObject(out, b.stats());
                return;
            }
            out.writeInt(b.rows(), true);
            out.writeInt(b.featureWidth(), true);
            out.writeInt(b.targetWidth(), true);
            out.writeBoolean(b.isUint8());
            if (b.isUint8()) {
                byte[] pixels = b.pixels();
                out.writeInt(pixels.length, true);
                out.writeBytes(pixels);
            } else {
                float[] x = b.featuresAsFloat();
                out.writeInt(x.length, true);
                out.writeFloats(x);
            }
            out.writeInt(b.targets().length, true);
            out.writeFloats(b.targets());
            kryo.writeObject(out, b.stats());
        }

        @Override
        public ExampleBlock read(Kryo kryo, Input in, Class<ExampleBlock> type) {
            if (in.readBoolean()) {
                int fw = in.readInt(true);
                int tw = in.readInt(true);
                return ExampleBlock.failed(fw, tw, kryo.readObject(in, LoadStats.class));
            }
            int rows = in.readInt(true);
            int fw = in.readInt(true);
            int tw = in.readInt(true);
            boolean uint8 = in.readBoolean();
            byte[] pixels = null;
            float[] features = null;
            if (uint8) {
                pixels = in.readBytes(in.readInt(true));
            } else {
                features = in.readFloats(in.readInt(true));
            }
            float[] targets = in.readFloats(in.readInt(true));
            LoadStats stats = kryo.readObject(in, LoadStats.class);
            return new ExampleBlock(rows, fw, tw, features, pixels, targets, stats);
        }
    }
}
