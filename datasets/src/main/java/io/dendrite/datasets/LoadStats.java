package io.dendrite.datasets;

import java.io.Serializable;
import java.util.EnumMap;
import java.util.Map;

/** Rows read, kept and skipped (by reason, with the first example of each): mergeable across partitions. */
public final class LoadStats implements Serializable {
    private static final long serialVersionUID = 1L;

    private long read;
    private long kept;
    private final EnumMap<BadRowException.Problem, Long> skipped = new EnumMap<>(BadRowException.Problem.class);
    private final EnumMap<BadRowException.Problem, String> firstExample = new EnumMap<>(BadRowException.Problem.class);
    private int failedPartition = Integer.MAX_VALUE;
    private String failure;

    void kept() {
        read++;
        kept++;
    }

    void skipped(BadRowException e) {
        read++;
        skipped.merge(e.problem(), 1L, Long::sum);
        firstExample.putIfAbsent(e.problem(), e.getMessage());
    }

    /** Records that reading partition {@code partition} failed with {@code message} (a bad input). */
    void failed(int partition, String message) {
        if (partition < failedPartition) {
            failedPartition = partition;
            failure = message;
        }
    }

    /** The failure of the first partition whose reading failed, or null. */
    public String failure() {
        return failure;
    }

    /** Adds {@code o} into this and returns this; of two failures, the lower partition's is kept. */
    public LoadStats mergeInPlace(LoadStats o) {
        if (o.failure != null) {
            failed(o.failedPartition, o.failure);
        }
        read += o.read;
        kept += o.kept;
        o.skipped.forEach((k, v) -> skipped.merge(k, v, Long::sum));
        o.firstExample.forEach(firstExample::putIfAbsent);
        return this;
    }

    /** Rows seen. */
    public long read() {
        return read;
    }

    /** Rows kept. */
    public long keptRows() {
        return kept;
    }

    /** Rows skipped. */
    public long skippedRows() {
        return read - kept;
    }

    /** Skipped rows by reason. */
    public Map<BadRowException.Problem, Long> skippedByReason() {
        return Map.copyOf(skipped);
    }

    /** One line per reason: count and the first row that had it; or that nothing was skipped. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(String.format("read %d rows, kept %d, skipped %d", read, kept, read - kept));
        skipped.forEach((k, v) -> sb.append(String.format("%n  %d × %s, first: %s", v, k, firstExample.get(k))));
        return sb.toString();
    }
}
