package io.dendrite.core.util;

/**
 * A small, fully specified random generator (SplitMix64, Steele, Lea and Flood 2014) so that the same
 * seed gives the same weights, shuffles and dropout masks on every JVM and every executor.
 *
 * <p>{@link java.util.Random} and {@link java.util.SplittableRandom} are deterministic too, but their
 * Gaussian and bounded methods are not pinned across JDK releases; a checkpoint taken on one JDK must
 * resume bit for bit on another.
 */
public final class Rng {
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;
    private long state;

    /** A generator whose whole sequence is determined by {@code seed}. */
    public Rng(long seed) {
        this.state = seed;
    }

    /** Derives an independent stream seed from a base seed and a path, e.g. {@code (seed, epoch, partition)}. */
    public static long derive(long seed, long... path) {
        long h = mix(seed ^ GOLDEN);
        for (long p : path) {
            h = mix(h + GOLDEN + mix(p));
        }
        return h;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** The next 64 random bits. */
    public long nextLong() {
        state += GOLDEN;
        return mix(state);
    }

    /** Uniform in [0, 1) with 24 random bits. */
    public float nextFloat() {
        return (nextLong() >>> 40) * 0x1.0p-24f;
    }

    /** Uniform in [0, 1) with 53 random bits. */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** Uniform in [0, bound), without modulo bias. */
    public int nextInt(int bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("bound must be positive but was " + bound);
        }
        // Reject the top partial block of [0, 2^63) so every residue is equally likely.
        long u = nextLong() >>> 1;
        long r = u % bound;
        while (u - r + (bound - 1) < 0) {
            u = nextLong() >>> 1;
            r = u % bound;
        }
        return (int) r;
    }

    /** Standard normal by the Box–Muller transform, with {@link StrictMath} so results do not vary by JVM. */
    public double nextGaussian() {
        double u1 = 1.0 - nextDouble(); // (0, 1], so the log is finite
        double u2 = nextDouble();
        return StrictMath.sqrt(-2.0 * StrictMath.log(u1)) * StrictMath.cos(2.0 * Math.PI * u2);
    }

    /**
     * Fills {@code out[off, off + n)} with standard normals, two from each Box–Muller draw (its cosine and
     * sine), with {@link StrictMath}: about half the cost of {@link #nextGaussian} per value.
     */
    public void fillGaussian(float[] out, int off, int n) {
        for (int i = 0; i < n; i += 2) {
            double r = StrictMath.sqrt(-2.0 * StrictMath.log(1.0 - nextDouble()));
            double a = 2.0 * Math.PI * nextDouble();
            out[off + i] = (float) (r * StrictMath.cos(a));
            if (i + 1 < n) {
                out[off + i + 1] = (float) (r * StrictMath.sin(a));
            }
        }
    }

    /** Fisher–Yates shuffle of {@code a} in place. */
    public void shuffleInPlace(int[] a) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
}
