package io.dendrite.spark.ml;

/**
 * The uid of a Spark ML stage under construction. Spark's Scala base classes create their params in their
 * constructors, and a param asks its owner for its uid there, before a Java subclass can set a field
 * (Scala sets a constructor's {@code val uid} before calling the super constructor; Java cannot). So a
 * constructor hands its uid over here first ({@link #pending}), {@code uid()} answers from here until the
 * field is set, and the constructor clears it ({@link #done}).
 */
final class Uids {
    private static final ThreadLocal<String> PENDING = new ThreadLocal<>();

    private Uids() {
    }

    /** Holds {@code uid} for the super constructor about to run; returns it. */
    static String pending(String uid) {
        PENDING.set(uid);
        return uid;
    }

    /** The uid being constructed on this thread. */
    static String current() {
        return PENDING.get();
    }

    /** The constructor is done. */
    static void done() {
        PENDING.remove();
    }

    /** A new uid with {@code prefix}, as Spark makes them. */
    static String random(String prefix) {
        return org.apache.spark.ml.util.Identifiable$.MODULE$.randomUID(prefix);
    }
}
