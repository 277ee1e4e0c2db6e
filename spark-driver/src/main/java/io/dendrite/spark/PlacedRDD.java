package io.dendrite.spark;

import org.apache.spark.Partition;
import org.apache.spark.TaskContext;
import org.apache.spark.rdd.RDD;
import scala.collection.Iterator;
import scala.collection.JavaConverters;
import scala.collection.immutable.Seq;
import scala.reflect.ClassTag;

/**
 * Its parent's partitions, each preferring one named executor: persisted and counted once, it moves the
 * parent's cached blocks to where {@link CachePlacement} wants them (a block staying on its executor is the
 * same objects, one moving is fetched from where it is cached). Later jobs over it follow its cache.
 */
final class PlacedRDD<T> extends RDD<T> {
    private static final long serialVersionUID = 1L;
    /** Spark's form of an executor as a preferred location ({@code TaskLocation}): executor_host_id. */
    private static final String EXECUTOR_TAG = "executor_";

    private final RDD<T> parent;
    private final String[] locations;

    /** {@code executors[p]} and {@code hosts[p]} name where partition {@code p} should live, or null for anywhere. */
    PlacedRDD(RDD<T> parent, String[] executors, String[] hosts, ClassTag<T> tag) {
        super(parent, tag);
        this.parent = parent;
        this.locations = new String[executors.length];
        for (int p = 0; p < executors.length; p++) {
            locations[p] = executors[p] == null ? null : location(executors[p], hosts[p]);
        }
    }

    /** Spark's preferred-location string for executor {@code executor} on {@code host}. */
    static String location(String executor, String host) {
        return EXECUTOR_TAG + host + "_" + executor;
    }

    @Override
    public Iterator<T> compute(Partition split, TaskContext context) {
        return parent.iterator(split, context);
    }

    @Override
    public Partition[] getPartitions() {
        return parent.partitions();
    }

    @Override
    public Seq<String> getPreferredLocations(Partition split) {
        String where = locations[split.index()];
        return JavaConverters.asScalaBuffer(where == null ? java.util.List.<String>of() : java.util.List.of(where))
                .toList();
    }
}
