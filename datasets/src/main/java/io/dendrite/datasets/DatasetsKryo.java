package io.dendrite.datasets;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.UncheckedIOException;

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
            byte[] stats = javaBytes(b.stats());
            out.writeInt(stats.length, true);
            out.writeBytes(stats);
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
            LoadStats stats = (LoadStats) fromJavaBytes(in.readBytes(in.readInt(true)));
            return new ExampleBlock(rows, fw, tw, features, pixels, targets, stats);
        }
    }

    /** The read/skip report is small and rare; plain Java serialization keeps its maps exact. */
    private static byte[] javaBytes(Object o) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(o);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static Object fromJavaBytes(byte[] b) {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(b))) {
            return in.readObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("LoadStats class missing while reading an example block", e);
        }
    }
}
