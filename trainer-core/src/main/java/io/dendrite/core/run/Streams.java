package io.dendrite.core.run;

import io.dendrite.core.util.Rng;

/**
 * Every random stream a run draws from, in one registry: each purpose has its own id, and each seed
 * below is {@link Rng#derive} of the run's seed and that id (plus the epoch, step or partition where the
 * stream depends on them). A new purpose takes a new id here, so no two purposes ever share a stream.
 */
public final class Streams {
    /** The initial weights. */
    public static final long INIT = 1;
    /** The validation split of the training data. */
    public static final long VALIDATION_SPLIT = 2;
    /** Each partition's order of its rows per epoch. */
    public static final long SHUFFLE = 3;
    /** The dropout masks of each partition's share of a step. */
    public static final long DROPOUT = 4;
    /** The held-out test split a job file or an example asks for. */
    public static final long TEST_SPLIT = 5;
    /** Each streamed partition's order of the rows within each shuffle window per epoch. */
    public static final long WINDOW_SHUFFLE = 6;

    private Streams() {
    }

    /** The seed the initial weights are drawn from. */
    public static long init(long seed) {
        return Rng.derive(seed, INIT);
    }

    /** The seed of the validation split. */
    public static long validationSplit(long seed) {
        return Rng.derive(seed, VALIDATION_SPLIT);
    }

    /** The seed of the held-out test split. */
    public static long testSplit(long seed) {
        return Rng.derive(seed, TEST_SPLIT);
    }

    /** The seed of partition {@code partition}'s row order in {@code epoch}. */
    public static long shuffle(long seed, long epoch, int partition) {
        return Rng.derive(seed, SHUFFLE, epoch, partition);
    }

    /** The seed of streamed partition {@code partition}'s row order within shuffle window {@code window} in {@code epoch}. */
    public static long windowShuffle(long seed, long epoch, int partition, long window) {
        return Rng.derive(seed, WINDOW_SHUFFLE, epoch, partition, window);
    }

    /** The dropout seed of partition {@code partition}'s share of optimiser step {@code step}. */
    public static long dropout(long seed, long step, int partition) {
        return Rng.derive(seed, DROPOUT, step, partition);
    }
}
