package io.dendrite.datasets;

import java.io.Serializable;
import java.math.BigInteger;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.Partitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import scala.Tuple2;

/**
 * Puts rows into exactly {@code n} partitions, each a contiguous run of a global order: row {@code g} of
 * {@code total} goes to partition {@code ⌊g·n / total⌋}, in order. The global order comes from the input
 * (file order, then position in the file), never from how Spark happened to split the input or how many
 * executors there are, so the partitions — and every split and shuffle seeded per partition — are the
 * same on any cluster. Costs one shuffle of the raw rows when the data is read.
 */
final class Rebalance {
    private Rebalance() {
    }

    /** The rows of {@code indexed} (keyed by global index in {@code [0, total)}) in {@code n} ordered runs. */
    static <V> JavaRDD<V> exactly(JavaPairRDD<Long, V> indexed, long total, int n) {
        return indexed.repartitionAndSortWithinPartitions(new Runs(total, n)).values();
    }

    /**
     * Keys each row of {@code rdd} by its index in partition order (the partitions' rows one after the
     * other); {@code counts} receives the total. One job counts the rows of each partition.
     */
    static <V> JavaPairRDD<Long, V> indexByPartition(JavaRDD<V> rdd, long[] total) {
        List<Long> counts = rdd.mapPartitions(it -> {
            long c = 0;
            for (; it.hasNext(); it.next()) {
                c++;
            }
            return List.of(c).iterator();
        }).collect();
        long[] offsets = new long[counts.size()];
        long sum = 0;
        for (int p = 0; p < offsets.length; p++) {
            offsets[p] = sum;
            sum += counts.get(p);
        }
        total[0] = sum;
        return rdd.mapPartitionsWithIndex((p, it) -> from(offsets[p], it), true).mapToPair(t -> t);
    }

    /** Lazily keys the rows of one partition from {@code first}. */
    static <V> Iterator<Tuple2<Long, V>> from(long first, Iterator<V> rows) {
        return new Iterator<>() {
            private long g = first;

            @Override
            public boolean hasNext() {
                return rows.hasNext();
            }

            @Override
            public Tuple2<Long, V> next() {
                return new Tuple2<>(g++, rows.next());
            }
        };
    }

    /** The partition of global row {@code g}: {@code ⌊g·n / total⌋}. */
    static int run(long g, long total, int n) {
        long hi = Math.multiplyHigh(g, n);
        long lo = g * n;
        if (hi == 0 && lo >= 0) {
            return (int) (lo / total);
        }
        return BigInteger.valueOf(g).multiply(BigInteger.valueOf(n)).divide(BigInteger.valueOf(total)).intValueExact();
    }

    /** Maps a global row index to its run. */
    static final class Runs extends Partitioner implements Serializable {
        private static final long serialVersionUID = 1L;
        private final long total;
        private final int n;

        Runs(long total, int n) {
            this.total = Math.max(1, total);
            this.n = n;
        }

        @Override
        public int numPartitions() {
            return n;
        }

        @Override
        public int getPartition(Object key) {
            return run((Long) key, total, n);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Runs r && r.total == total && r.n == n;
        }

        @Override
        public int hashCode() {
            return Long.hashCode(total) * 31 + n;
        }
    }
}
