package io.dendrite.benchmarks;

import dev.ludovic.netlib.blas.BLAS;
import dev.ludovic.netlib.blas.JavaBLAS;
import dev.ludovic.netlib.blas.NativeBLAS;

/**
 * The two netlib BLAS references, and the three row-major products written as column-major SGEMM calls
 * (a row-major matrix is its transpose in column-major order).
 */
final class Blas {
    private Blas() {
    }

    /** Native BLAS through JNI (Debian's OpenBLAS); fails saying what to install when it is missing. */
    static BLAS openBlas() {
        try {
            return NativeBLAS.getInstance();
        } catch (RuntimeException | LinkageError e) {
            throw new IllegalStateException("native BLAS did not load (" + e + "); install Debian's libopenblas0 "
                    + "so that libblas.so.3 is OpenBLAS", e);
        }
    }

    /** What Spark MLlib uses in the JVM: netlib's Java BLAS, the Vector API one on JDK 16+. */
    static BLAS javaBlas() {
        return JavaBLAS.getInstance();
    }

    /** {@code out[m×n] = x[m×k]·w[k×n]}. */
    static void xw(BLAS blas, int m, int k, int n, float[] x, float[] w, float[] out) {
        blas.sgemm("N", "N", n, m, k, 1f, w, n, x, k, 0f, out, n);
    }

    /** {@code g[k×n] += x[m×k]ᵀ·dz[m×n]}. */
    static void xtDz(BLAS blas, int m, int k, int n, float[] x, float[] dz, float[] g) {
        blas.sgemm("N", "T", n, k, m, 1f, dz, n, x, k, 1f, g, n);
    }

    /** {@code dx[m×k] = dz[m×n]·w[k×n]ᵀ}. */
    static void dzWt(BLAS blas, int m, int k, int n, float[] dz, float[] w, float[] dx) {
        blas.sgemm("T", "N", k, m, n, 1f, w, n, dz, n, 0f, dx, k);
    }
}
