package io.dendrite.spark;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import io.dendrite.core.step.GradientAccumulator;
import io.dendrite.datasets.DatasetsKryo;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.serializer.KryoRegistrator;

/**
 * Registers every class Dendrite ships between JVMs with Spark's Kryo serializer, so jobs run with
 * {@code spark.kryo.registrationRequired=true}: task results (gradient accumulators) and example blocks.
 * Gradients travel as raw float arrays; the time spent reading them is recorded for the step breakdown.
 * Set {@code spark.kryo.registrator=io.dendrite.spark.DendriteKryoRegistrator}.
 */
public final class DendriteKryoRegistrator implements KryoRegistrator {

    @Override
    public void registerClasses(Kryo kryo) {
        kryo.register(GradientAccumulator.class, new AccumulatorSerializer());
        kryo.register(float[].class);
        kryo.register(double[].class);
        kryo.register(long[].class);
        DatasetsKryo.register(kryo);
        for (String name : SPARK_SQL_CLASSES) {
            try {
                kryo.register(Class.forName(name, false, Thread.currentThread().getContextClassLoader()));
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException("Spark class " + name + " is missing; is this Spark 3.5?", e);
            }
        }
    }

    /**
     * Spark SQL's and Spark ML's own classes that the score and evaluate jobs' plans (CSV schema inference,
     * file writes) and pipelines around the Spark ML stages (vector columns, StandardScaler's and the
     * evaluators' summaries) send through Kryo; Spark registers only its core ones.
     */
    static final java.util.List<String> SPARK_SQL_CLASSES = java.util.List.of(
            "[Lorg.apache.spark.sql.types.DataType;",
            "org.apache.spark.sql.types.NullType$",
            "org.apache.spark.sql.types.BooleanType$",
            "org.apache.spark.sql.types.ByteType$",
            "org.apache.spark.sql.types.ShortType$",
            "org.apache.spark.sql.types.IntegerType$",
            "org.apache.spark.sql.types.LongType$",
            "org.apache.spark.sql.types.FloatType$",
            "org.apache.spark.sql.types.DoubleType$",
            "org.apache.spark.sql.types.StringType$",
            "org.apache.spark.sql.types.BinaryType$",
            "org.apache.spark.sql.types.ArrayType",
            "org.apache.spark.sql.types.StructType",
            "org.apache.spark.sql.types.StructField",
            "[Lorg.apache.spark.sql.types.StructField;",
            "org.apache.spark.sql.types.Metadata",
            "[Lorg.apache.spark.sql.types.Metadata;",
            "org.apache.spark.ml.linalg.VectorUDT",
            "org.apache.spark.ml.stat.SummarizerBuffer",
            "org.apache.spark.ml.stat.SummaryBuilderImpl$ComputeL1$",
            "org.apache.spark.ml.stat.SummaryBuilderImpl$ComputeM2$",
            "org.apache.spark.ml.stat.SummaryBuilderImpl$ComputeM2n$",
            "org.apache.spark.ml.stat.SummaryBuilderImpl$ComputeMax$",
            "org.apache.spark.ml.stat.SummaryBuilderImpl$ComputeMean$",
            "org.apache.spark.ml.stat.SummaryBuilderImpl$ComputeMin$",
            "org.apache.spark.ml.stat.SummaryBuilderImpl$ComputeNNZ$",
            "org.apache.spark.ml.stat.SummaryBuilderImpl$ComputeWeightSum$",
            "org.apache.spark.ml.stat.SummaryBuilderImpl$Count$",
            "org.apache.spark.ml.stat.SummaryBuilderImpl$Max$",
            "org.apache.spark.ml.stat.SummaryBuilderImpl$Mean$",
            "org.apache.spark.ml.stat.SummaryBuilderImpl$MetricsAggregate$",
            "org.apache.spark.ml.stat.SummaryBuilderImpl$Min$",
            "org.apache.spark.ml.stat.SummaryBuilderImpl$NormL1$",
            "org.apache.spark.ml.stat.SummaryBuilderImpl$NormL2$",
            "org.apache.spark.ml.stat.SummaryBuilderImpl$NumNonZeros$",
            "org.apache.spark.ml.stat.SummaryBuilderImpl$Std$",
            "org.apache.spark.ml.stat.SummaryBuilderImpl$Sum$",
            "org.apache.spark.ml.stat.SummaryBuilderImpl$Variance$",
            "scala.collection.immutable.Nil$",
            "scala.collection.immutable.$colon$colon");

    private static final class AccumulatorSerializer extends Serializer<GradientAccumulator> {
        @Override
        public void write(Kryo kryo, Output out, GradientAccumulator a) {
            out.writeInt(a.partitions(), true);
            out.writeLong(a.mergeNanos());
            out.writeLong(a.transferNanos());
            out.writeInt(a.nodes().size(), true);
            for (GradientAccumulator.Node n : a.nodes()) {
                out.writeInt(n.level(), true);
                out.writeInt(n.index(), true);
                out.writeDouble(n.stats().lossSum());
                out.writeLong(n.stats().count(), true);
                out.writeLong(n.stats().correct(), true);
                out.writeLong(n.computeNanos(), true);
                float[] g = n.gradient();
                out.writeInt(g.length, true);
                out.writeFloats(g);
            }
        }

        @Override
        public GradientAccumulator read(Kryo kryo, Input in, Class<GradientAccumulator> type) {
            long started = System.nanoTime();
            int partitions = in.readInt(true);
            long merge = in.readLong();
            long transfer = in.readLong();
            int count = in.readInt(true);
            List<GradientAccumulator.Node> nodes = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                int level = in.readInt(true);
                int index = in.readInt(true);
                double lossSum = in.readDouble();
                long examples = in.readLong(true);
                long correct = in.readLong(true);
                long compute = in.readLong(true);
                float[] g = in.readFloats(in.readInt(true));
                nodes.add(new GradientAccumulator.Node(level, index, g, lossSum, examples, correct, compute));
            }
            return GradientAccumulator.restore(partitions, nodes, merge, transfer + System.nanoTime() - started);
        }
    }
}
