package io.dendrite.core.kernel.vector;

import java.util.Arrays;

/**
 * The columns of a GEMM left after its full vectors, copied out padded with zeros to {@code width} lanes
 * (one or two vectors), so that a vector kernel computes them instead of a scalar loop: B's tail columns
 * ({@code kLen × width}), the starting values' tail columns, and room for C's ({@code m × width}). Each
 * valid element is summed exactly as before; {@link #copyOut} drops the padding lanes. One per thread.
 */
final class PaddedTail {
    private static final ThreadLocal<PaddedTail> LOCAL = ThreadLocal.withInitial(PaddedTail::new);

    float[] b = new float[0];
    float[] c = new float[0];
    float[] init = new float[0];
    /** Row stride of {@link #init}: 0 when every row starts from the same values (a bias), else the width. */
    int initRow;
    private int width;

    /**
     * This thread's buffers holding columns {@code [j, n)} of B ({@code kLen} rows of stride {@code bK} from
     * {@code bOff}) and of the starting values, padded to {@code width}.
     */
    static PaddedTail of(int m, int n, int j, int kLen, float[] b, int bOff, int bK, float[] init, int initOff,
                         int initRow, int width) {
        PaddedTail p = LOCAL.get();
        int w = n - j;
        p.width = width;
        p.b = atLeast(p.b, kLen * width);
        for (int t = 0, src = bOff + j, dst = 0; t < kLen; t++, src += bK, dst += width) {
            System.arraycopy(b, src, p.b, dst, w);
            Arrays.fill(p.b, dst + w, dst + width, 0f);
        }
        int initRows = initRow == 0 ? 1 : m;
        p.initRow = initRow == 0 ? 0 : width;
        p.init = atLeast(p.init, initRows * width);
        for (int i = 0, src = initOff + j, dst = 0; i < initRows; i++, src += initRow, dst += width) {
            System.arraycopy(init, src, p.init, dst, w);
            Arrays.fill(p.init, dst + w, dst + width, 0f);
        }
        p.c = atLeast(p.c, m * width);
        return p;
    }

    /** Copies the {@code w} valid columns of the computed rows into C at {@code cOff}, row stride {@code cRow}. */
    void copyOut(int m, int w, float[] out, int cOff, int cRow) {
        for (int i = 0, src = 0, dst = cOff; i < m; i++, src += width, dst += cRow) {
            System.arraycopy(c, src, out, dst, w);
        }
    }

    private static float[] atLeast(float[] a, int len) {
        return a.length >= len ? a : new float[len];
    }
}
