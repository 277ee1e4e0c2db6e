package io.dendrite.spark;

import io.dendrite.datasets.ExampleBlock;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.Dependency;
import org.apache.spark.NarrowDependency;
import org.apache.spark.Partition;
import org.apache.spark.TaskContext;
import org.apache.spark.rdd.RDD;
import scala.collection.Iterator;
import scala.collection.JavaConverters;
import scala.collection.immutable.Seq;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

/**
 * The shards of the training data grouped into tasks: partition {@code g} yields the shards of group
 * {@code g}, each read whole from the cache, or (barrier mode over streamed data) opened as a stream the
 * task reads window by window ({@link StreamedRows}). In job mode it depends on the shards and names no
 * preferred location of its own, so Spark's scheduler follows the narrow dependency to where the group's
 * shards are cached; {@link CachePlacement} forms the groups from the shards each executor holds. Spark
 * refuses a barrier stage over a lineage whose partition count changes, so for barrier mode it declares
 * no dependency (the shards are cached before the stage runs, and a task reads them from the cache, or
 * recomputes them, as any reader of a persisted RDD does) and names each group's executor itself.
 */
final class ShardGroupRDD extends RDD<ShardGroupRDD.Shard> {
    private static final long serialVersionUID = 1L;
    private static final ClassTag<Shard> TAG = ClassTag$.MODULE$.apply(Shard.class);

    /** One shard's index and rows, as a group task reads them. */
    record Shard(int index, ShardRows rows) {
    }

    /** Shards read as streams: each shard's rows as the batch plan counts them, and the shuffle window. */
    record Streamed(long[] rows, int window) implements java.io.Serializable {
    }

    /** A group's partition: the shards' own partitions (shipped with the task), in index order. */
    record Group(int index, Partition[] shards) implements Partition {
        @Override
        public int hashCode() {
            return index;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Group g && g.index == index;
        }
    }

    private final RDD<ExampleBlock> shards;
    private final int[][] groups;
    private final String[] locations;
    private final Streamed streamed;

    /** Groups depending on the cached shards (job mode). */
    ShardGroupRDD(RDD<ExampleBlock> shards, int[][] groups) {
        this(shards, groups, dependency(shards, groups), null, null);
    }

    /**
     * Groups without a dependency, group {@code g} preferring {@code locations[g]} (or anywhere if null);
     * the shards are cached, or read as streams when {@code streamed} is not null.
     */
    static ShardGroupRDD forBarrier(RDD<ExampleBlock> shards, int[][] groups, String[] locations, Streamed streamed) {
        return new ShardGroupRDD(shards, groups, List.of(), locations, streamed);
    }

    private ShardGroupRDD(RDD<ExampleBlock> shards, int[][] groups, List<Dependency<?>> deps,
                          String[] locations, Streamed streamed) {
        super(shards.context(), JavaConverters.asScalaBuffer(deps).toList(), TAG);
        this.shards = shards;
        this.groups = groups;
        this.locations = locations;
        this.streamed = streamed;
    }

    private static List<Dependency<?>> dependency(RDD<ExampleBlock> shards, int[][] groups) {
        return List.of(new NarrowDependency<ExampleBlock>(shards) {
            private static final long serialVersionUID = 1L;

            @Override
            public Seq<Object> getParents(int group) {
                List<Object> parents = new ArrayList<>();
                for (int s : groups[group]) {
                    parents.add(s);
                }
                return JavaConverters.asScalaBuffer(parents).toList();
            }
        });
    }

    @Override
    public Seq<String> getPreferredLocations(Partition split) {
        String where = locations == null ? null : locations[split.index()];
        return JavaConverters.asScalaBuffer(where == null ? List.<String>of() : List.of(where)).toList();
    }

    /** The shard indices of each group. */
    int[][] groups() {
        return groups;
    }

    @Override
    public Iterator<Shard> compute(Partition split, TaskContext context) {
        List<Shard> out = new ArrayList<>();
        for (Partition s : ((Group) split).shards()) {
            out.add(new Shard(s.index(), streamed != null
                    ? new StreamedRows(() -> JavaConverters.asJavaIterator(shards.iterator(s, context)), s.index(),
                            streamed.rows()[s.index()], streamed.window())
                    : ExecutorScratch.Rows.of(JavaConverters.asJavaIterator(shards.iterator(s, context)))));
        }
        return JavaConverters.asScalaIterator(out.iterator());
    }

    @Override
    public Partition[] getPartitions() {
        Partition[] parents = shards.partitions();
        Partition[] p = new Partition[groups.length];
        for (int g = 0; g < groups.length; g++) {
            p[g] = new Group(g, java.util.Arrays.stream(groups[g]).mapToObj(s -> parents[s]).toArray(Partition[]::new));
        }
        return p;
    }
}
