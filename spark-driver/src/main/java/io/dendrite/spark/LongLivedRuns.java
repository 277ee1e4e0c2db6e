package io.dendrite.spark;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.SparkContext;

/**
 * The runs of one SparkContext whose tasks live as long as a stage of steps (barrier and elastic mode). Two
 * of them at once would each hold slots the other waits for — a barrier stage launches only when every one
 * of its tasks has a slot — and starve until a timeout; so a second is refused at once, in one line, while
 * job mode's short tasks interleave with anything. Each run also gets a number that its stages' names carry,
 * so the listeners of concurrent runs tell their stages apart.
 */
final class LongLivedRuns {
    private static final Map<SparkContext, String> ACTIVE = new ConcurrentHashMap<>();
    private static final AtomicLong NUMBERS = new AtomicLong();

    private LongLivedRuns() {
    }

    /** A number no other run of this JVM has, for its stages' RDD names. */
    static long nextNumber() {
        return NUMBERS.incrementAndGet();
    }

    /** Records {@code what} as the context's long-lived run; refuses it while another is active. */
    static void claim(SparkContext sc, String what) {
        String other = ACTIVE.putIfAbsent(sc, what);
        if (other != null) {
            throw busy(other, what);
        }
    }

    /** Refuses {@code what} at once, before it reads any data, while another long-lived run is active. */
    static void refuseIfHeld(SparkContext sc, String what) {
        String other = ACTIVE.get(sc);
        if (other != null) {
            throw busy(other, what);
        }
    }

    private static IllegalStateException busy(String other, String what) {
        return new IllegalStateException("another Dendrite run (" + other + ") holds this SparkContext's task slots "
                + "with long-lived tasks; " + what + " would wait for them until a timeout. Run the fits one at a "
                + "time (CrossValidator.setParallelism(1)), or use step mode 'job', whose short tasks share slots");
    }

    /** Ends the claim of {@code what}. */
    static void release(SparkContext sc, String what) {
        ACTIVE.remove(sc, what);
    }
}
