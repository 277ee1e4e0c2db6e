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
    }

    private static final class BlockSerializer extends Serializer<ExampleBlock> {
        @Override
        public void write(Kryo kryo, Output out, ExampleBlock b) {
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
