package io.dendrite.core.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dendrite.core.kernel.Activation;
import io.dendrite.core.util.Rng;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each scheme's bound or spread, measured on 200 × 300 draws, and zero biases. */
class InitializerTest {
    private static final int IN = 200;
    private static final int OUT = 300;

    private static float[] draw(Initializer init) {
        float[] w = new float[IN * OUT];
        init.fill(w, 0, IN, OUT, new Rng(1));
        return w;
    }

    private static double std(float[] w) {
        double s = 0;
        double sq = 0;
        for (float v : w) {
            s += v;
            sq += (double) v * v;
        }
        double mean = s / w.length;
        assertEquals(0, mean, 0.01, "mean");
        return Math.sqrt(sq / w.length - mean * mean);
    }

    private static double maxAbs(float[] w) {
        double m = 0;
        for (float v : w) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }

    @Test
    void spreadsMatchTheirDefinitions() {
        assertEquals(Math.sqrt(2.0 / (IN + OUT)), std(draw(Initializer.GLOROT_NORMAL)), 0.002);
        assertEquals(Math.sqrt(2.0 / IN), std(draw(Initializer.HE_NORMAL)), 0.002);
        assertEquals(0.3, std(draw(Initializer.normal(0.3f))), 0.003);
        double glorotLimit = Math.sqrt(6.0 / (IN + OUT));
        float[] g = draw(Initializer.GLOROT_UNIFORM);
        assertTrue(maxAbs(g) <= glorotLimit && maxAbs(g) > 0.99 * glorotLimit);
        assertEquals(glorotLimit / Math.sqrt(3), std(g), 0.002, "uniform std is limit/√3");
        double heLimit = Math.sqrt(6.0 / IN);
        assertTrue(maxAbs(draw(Initializer.HE_UNIFORM)) <= heLimit);
        assertTrue(maxAbs(draw(Initializer.uniform(0.05f))) <= 0.05);
    }

    @Test
    void biasesStartAtZeroAndLayersDrawIndependently() {
        NetworkSpec spec = new NetworkSpec(3, List.of(new LayerSpec.Dense(2, Activation.RELU, Initializer.HE_NORMAL),
                new LayerSpec.Dense(2, Activation.LINEAR, Initializer.HE_NORMAL)));
        float[] p = spec.initialParameters(4);
        assertEquals(3 * 2 + 2 + 2 * 2 + 2, p.length);
        assertArrayEquals(new float[] {0f, 0f}, new float[] {p[6], p[7]});
        assertArrayEquals(new float[] {0f, 0f}, new float[] {p[12], p[13]});
        assertArrayEquals(p, spec.initialParameters(4), "same seed, same weights");
    }
}
