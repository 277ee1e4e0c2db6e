package io.dendrite.core.nn;

import io.dendrite.core.util.Rng;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntUnaryOperator;

/**
 * Runs a network's forward and backward on synthetic rows until the JIT has compiled its kernel, so a
 * task's first training steps run at the speed of its later ones instead of paying for C2's warm-up inside
 * the measured steps (epoch 1's compute was 2.3× epoch 3's without it). The JIT's code is shared by every
 * thread, so {@link #once} runs a warm-up once per JVM and makes other threads wait for it.
 *
 * <p>The batch sizes cycle through 16, 23, 14 and 13 rows, so every row-remainder kernel of every GEMM set
 * runs. It stops when the best iteration time has not improved by {@value #GAIN_PERCENT}% for as many
 * iterations as came before the last improvement (at least {@value #MIN_QUIET} of them), or at the budget.
 * Nothing it computes is kept, so it cannot change a result.
 */
public final class WarmUp {
    private static final int[] ROWS = {16, 23, 14, 13};
    private static final int MIN_QUIET = 60;
    private static final int GAIN_PERCENT = 3;
    private static final ConcurrentHashMap<String, Object[]> DONE = new ConcurrentHashMap<>();

    /** What a warm-up did: {@code iterations} passes in {@code nanos}, the first and the best per 16 rows. */
    public record Result(int iterations, long nanos, long firstNanos, long bestNanos) {
        /** One line for the log. */
        public String describe() {
            return String.format(java.util.Locale.ROOT,
                    "%d passes in %.0f ms, 16 rows from %.2f ms down to %.2f ms", iterations, nanos / 1e6,
                    firstNanos / 1e6, bestNanos / 1e6);
        }
    }

    private WarmUp() {
    }

    /**
     * Runs {@code warm} unless this JVM already ran the warm-up named {@code key}; a caller that finds it
     * running waits until it is done, so no thread computes on cold code beside it. True when this call ran it.
     */
    public static boolean once(String key, Runnable warm) {
        Object[] slot = DONE.computeIfAbsent(key, k -> new Object[1]);
        synchronized (slot) {
            if (slot[0] != null) {
                return false;
            }
            warm.run();
            slot[0] = Boolean.TRUE;
            return true;
        }
    }

    /** Warms {@code network} now, whatever ran before. */
    public static Result run(Network network, int targetWidth, long budgetNanos) {
        Rng rng = new Rng(0x5EED);
        int maxRows = 23;
        int in = network.spec().inputWidth();
        int out = network.spec().outputWidth();
        float[] params = new float[network.parameterCount()];
        for (int i = 0; i < params.length; i++) {
            params[i] = 0.05f * (float) rng.nextGaussian();
        }
        float[] x = new float[maxRows * in];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rng.nextGaussian();
        }
        float[] y = new float[maxRows * targetWidth];
        for (int r = 0; r < maxRows; r++) {
            if (targetWidth == 1) {
                y[r] = r % Math.max(2, out); // a valid class for softmax and binary losses, a value for regression
            } else {
                y[r * targetWidth + r % targetWidth] = 1f;
            }
        }
        float[] grad = new float[params.length];
        Workspace ws = network.newWorkspace();
        return untilSettled(it -> {
            int rows = ROWS[it % ROWS.length];
            network.accumulateGradient(params, x, 0, y, 0, targetWidth, rows, grad, ws, it);
            return rows;
        }, budgetNanos);
    }

    /**
     * Runs {@code pass(i)} for {@code i = 0, 1, ...}, each returning the rows it processed, until its time per
     * row settles (see the class comment) or {@code budgetNanos} have passed.
     */
    public static Result untilSettled(IntUnaryOperator pass, long budgetNanos) {
        long start = System.nanoTime();
        long first = 0;
        long best = Long.MAX_VALUE;
        int lastGain = 0;
        int it = 0;
        while (System.nanoTime() - start < budgetNanos) {
            long t0 = System.nanoTime();
            int rows = pass.applyAsInt(it);
            long perPass = (System.nanoTime() - t0) * ROWS[0] / Math.max(1, rows); // per 16 rows, so sizes compare
            first = it == 0 ? perPass : first;
            if (perPass * 100 < best * (100 - GAIN_PERCENT)) {
                lastGain = it;
            }
            best = Math.min(best, perPass);
            it++;
            if (it - lastGain > Math.max(MIN_QUIET, lastGain)) {
                break;
            }
        }
        return new Result(it, System.nanoTime() - start, first, best);
    }
}
