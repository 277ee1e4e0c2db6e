package io.dendrite.datasets;

/** A stream of parsed rows inside one partition, read into caller-owned buffers. */
interface RowSource {

    /**
     * Reads the next row's features into {@code x} and targets into {@code y}; false at the end. A row
     * that cannot be parsed is consumed and reported as a {@link BadRowException}.
     */
    boolean next(float[] x, float[] y);

    /** Where the row last read is, for messages: e.g. {@code "file:/data/a.csv line 7"}. */
    String where();
}
