package io.dendrite.datasets;

/** What a reader does with a row it cannot use. Nothing is ever dropped silently. */
public enum BadRowPolicy {
    /** Fail, naming the file, the line or record, the column and the value (the default). */
    ERROR,
    /** Drop the row, count it by reason, and report the counts and a first example of each at the end. */
    SKIP
}
