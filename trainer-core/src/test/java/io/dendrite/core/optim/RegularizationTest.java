package io.dendrite.core.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.dendrite.core.kernel.ScalarKernel;
import java.util.List;
import org.junit.jupiter.api.Test;

class RegularizationTest {
    private static final ScalarKernel KERNEL = new ScalarKernel();
    /** Weights at [0, 3) and [5, 6); indices 3, 4 and 6 stand for biases and are never touched. */
    private static final List<int[]> RANGES = List.of(new int[] {0, 3}, new int[] {5, 1});

    @Test
    void penaltyAndItsGradientFollowKeras() {
        float[] w = {1f, -2f, 0.5f, 7f, 7f, -1f, 7f};
        float[] grad = new float[w.length];
        double penalty = new Regularization(0.1f, 0.01f, 0f, 0f).addPenaltyGradient(w, grad, RANGES, KERNEL);
        // l1·Σ|w| + l2·Σw² over 1, −2, 0.5, −1: 0.1·4.5 + 0.01·6.25
        assertEquals(0.45 + 0.0625, penalty, 1e-6);
        // l1·sign(w) + 2·l2·w
        assertArrayEquals(new float[] {0.12f, -0.14f, 0.11f, 0f, 0f, -0.12f, 0f}, grad, 1e-7f);
    }

    @Test
    void decoupledDecayShrinksOnlyWeights() {
        float[] w = {1f, -2f, 0.5f, 7f, 7f, -1f, 7f};
        new Regularization(0f, 0f, 0.5f, 0f).decayWeightsInPlace(w, 0.1f, RANGES, KERNEL);
        assertArrayEquals(new float[] {0.95f, -1.9f, 0.475f, 7f, 7f, -0.95f, 7f}, w, 1e-7f);
    }

    @Test
    void clippingByGlobalNormAsPyTorch() {
        float[] g = {3f, 4f};
        double norm = new Regularization(0f, 0f, 0f, 1f).clipInPlace(g, KERNEL);
        assertEquals(5.0, norm, 1e-12);
        // clip_grad_norm_: g · max_norm / (norm + 1e-6)
        assertArrayEquals(new float[] {(float) (3 / (5 + 1e-6)), (float) (4 / (5 + 1e-6))}, g, 1e-7f);
        float[] small = {0.3f, 0.4f};
        new Regularization(0f, 0f, 0f, 1f).clipInPlace(small, KERNEL);
        assertArrayEquals(new float[] {0.3f, 0.4f}, small, "under the limit nothing changes");
    }
}
