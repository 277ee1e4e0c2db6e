package io.dendrite.core.kernel.vector;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The wide micro-kernels run until B's offset reaches its end; a B whose end they would miss is
 * refused rather than summed short.
 */
class GemmBoundsTest {
    private static final float[] A = new float[64];
    /** One wide block: the width whose kernels step B to its end. */
    private static final int W = Gemm128x32.BLOCK_COLS;
    private static final GemmSet SET = new Gemm128x32();
    private static final float[] C = new float[W];

    @Test
    void zeroStrideOfBIsRefused() {
        float[] b = new float[W];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SET.gemm(1,
                W, 3, A, 0, 3, 1, b, 0, 0, C, 0, W, C, 0, 0, Float.NEGATIVE_INFINITY));
        assertTrue(e.getMessage().contains("stride 0"), e.getMessage());
    }

    @Test
    void anEndOffsetPastIntRangeIsRefused() {
        float[] b = new float[W];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SET.gemm(1,
                W, 3, A, 0, 3, 1, b, Integer.MAX_VALUE - 8, 1 << 30, C, 0, W, C, 0, 0,
                Float.NEGATIVE_INFINITY));
        assertTrue(e.getMessage().contains("within an int"), e.getMessage());
    }
}
