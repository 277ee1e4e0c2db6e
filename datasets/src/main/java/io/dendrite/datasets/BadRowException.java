package io.dendrite.datasets;

/** A row that breaks the input's contract, with where it is and what is wrong. */
public final class BadRowException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final Problem problem;

    BadRowException(Problem problem, String message) {
        super(message);
        this.problem = problem;
    }

    /** The kind of problem. */
    public Problem problem() {
        return problem;
    }

    /**
     * True for what Spark ML's {@code handleInvalid} covers: a value that is null, NaN or infinite (as
     * {@code VectorAssembler.setHandleInvalid("keep")} leaves them), not a row of the wrong shape.
     */
    public boolean invalidValue() {
        return problem == Problem.MISSING || problem == Problem.NOT_FINITE;
    }

    /** Why a row is unusable. */
    public enum Problem {
        /** A field that is not a number. */
        NOT_A_NUMBER,
        /** A null where a value is needed. */
        MISSING,
        /** NaN or an infinity. */
        NOT_FINITE,
        /** Fewer or more features than declared. */
        WRONG_FEATURE_COUNT,
        /** A class label that is not a whole number, or outside [0, classes). */
        BAD_LABEL,
        /** An example weight below zero. */
        BAD_WEIGHT,
        /** A sparse index outside the declared width or out of order. */
        BAD_INDEX,
        /** A uint8 feature outside [0, 255] or not whole. */
        NOT_A_BYTE
    }
}
