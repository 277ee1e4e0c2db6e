package io.dendrite.core.step;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dendrite.core.loss.LossStats;
import io.dendrite.core.util.Rng;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GradientAccumulatorTest {

    private static float[][] gradients(int partitions, int length) {
        Rng rng = new Rng(partitions);
        float[][] g = new float[partitions][length];
        for (float[] row : g) {
            for (int i = 0; i < length; i++) {
                // Magnitudes spread over six decades, so summation order shows in the low bits.
                row[i] = (float) (rng.nextGaussian() * Math.pow(10, rng.nextInt(6) - 3));
            }
        }
        return g;
    }

    private static GradientAccumulator leaf(int partitions, int p, float[] g) {
        return GradientAccumulator.ofPartition(partitions, p, g.clone(), new LossStats(p + 0.25, p + 1, p), 1000L * p);
    }

    /** Merges the partitions' results in {@code order}, grouped as a random tree would. */
    private static GradientAccumulator.Node reduce(int partitions, float[][] g, List<Integer> order, Random random) {
        List<GradientAccumulator> pending = new ArrayList<>();
        for (int p : order) {
            pending.add(leaf(partitions, p, g[p]));
        }
        while (pending.size() > 1) {
            int i = random.nextInt(pending.size());
            GradientAccumulator a = pending.remove(i);
            int j = random.nextInt(pending.size());
            pending.set(j, pending.get(j).mergeInPlace(a));
        }
        return GradientAccumulator.empty(partitions).mergeInPlace(pending.get(0)).total();
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 5, 8, 13, 33})
    void anyArrivalOrderAndGroupingGivesTheSameBits(int partitions) {
        float[][] g = gradients(partitions, 257);
        List<Integer> order = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            order.add(p);
        }
        GradientAccumulator.Node first = reduce(partitions, g, order, new Random(1));
        for (int trial = 0; trial < 20; trial++) {
            Collections.shuffle(order, new Random(trial));
            GradientAccumulator.Node other = reduce(partitions, g, order, new Random(100 + trial));
            assertArrayEquals(first.gradient(), other.gradient(), "trial " + trial);
            assertEquals(first.stats(), other.stats());
        }
        long examples = 0;
        double loss = 0;
        for (int p = 0; p < partitions; p++) {
            examples += p + 1;
            loss += p + 0.25;
        }
        assertEquals(examples, first.stats().count());
        assertEquals(loss, first.stats().lossSum(), 1e-9);
        assertEquals(1000L * (partitions - 1), first.computeNanos());
        // The sum is the sum, to float rounding.
        for (int i = 0; i < 257; i++) {
            double exact = 0;
            double scale = 0;
            for (float[] row : g) {
                exact += row[i];
                scale += Math.abs(row[i]);
            }
            assertEquals(exact, first.gradient()[i], 1e-6 * scale + 1e-30);
        }
    }

    @Test
    void differentOrdersWouldDifferWithoutTheFixedTree() {
        // Guards the test above: plain left-to-right sums in two orders do differ on this data.
        float[][] g = gradients(5, 257);
        float[] a = new float[257];
        float[] b = new float[257];
        for (int p = 0; p < 5; p++) {
            for (int i = 0; i < 257; i++) {
                a[i] += g[p][i];
                b[i] += g[4 - p][i];
            }
        }
        boolean differs = false;
        for (int i = 0; i < 257; i++) {
            differs |= a[i] != b[i];
        }
        assertTrue(differs);
    }

    @Test
    void missingAndDuplicatePartitionsAreErrors() {
        float[][] g = gradients(3, 4);
        GradientAccumulator acc = GradientAccumulator.empty(3).mergeInPlace(leaf(3, 0, g[0])).mergeInPlace(leaf(3, 2, g[2]));
        IllegalStateException missing = assertThrows(IllegalStateException.class, acc::total);
        assertTrue(missing.getMessage().contains("covers only partitions [[0, 1), [2, 3)] of 3"), missing.getMessage());
        IllegalArgumentException twice = assertThrows(IllegalArgumentException.class,
                () -> acc.mergeInPlace(leaf(3, 2, g[2])));
        assertTrue(twice.getMessage().contains("partitions [2, 3) were counted twice"), twice.getMessage());
        assertThrows(IllegalArgumentException.class, () -> acc.mergeInPlace(GradientAccumulator.empty(4)));
    }
}
